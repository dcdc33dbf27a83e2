import { ErpCommand } from '../core/canonical/erp-command';
import { describeIssues, ValidationError } from '../core/errors';
import type { ErpPort, ErpReceipt } from '../core/erp-port';

/** Parses a queued ERP command; a malformed one is a validation error that goes straight to the DLQ. */
export const parseErpCommand = (body: string): ErpCommand => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError('The ERP command is not JSON.');
  }
  const result = ErpCommand.safeParse(json);
  if (!result.success) {
    const issues = describeIssues(result.error.issues);
    throw new ValidationError(`Invalid ERP command: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return result.data;
};

/** Executes one ERP command through the ERP port; the port carries the command id as idempotency key. */
export const makeErpDispatch = ({ erp }: { erp: ErpPort }) =>
  (command: ErpCommand): Promise<ErpReceipt> => erp.execute(command);

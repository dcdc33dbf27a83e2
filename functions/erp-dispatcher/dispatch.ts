import { ErpCommand } from '../core/canonical/erp-command';
import { parseJsonAs } from '../core/canonical/parse';
import { RateLimitedError, RetriesExhaustedError, TransientError } from '../core/errors';
import { makeErpGate, type ErpGateOptions } from '../core/erp/gate';
import type { CommandLedger } from '../core/ports/command-ledger';
import type { ErpPort, ErpReceipt } from '../core/ports/erp';
import type { ErpCoordination } from '../core/ports/erp-coordination';

/** Parses a queued ERP command; a malformed one is a validation error that goes straight to the DLQ. */
export const parseErpCommand = (body: string): ErpCommand => parseJsonAs(ErpCommand, body, 'The ERP command', { problem: 'Invalid ERP command' });

export interface DispatchDependencies extends Omit<ErpGateOptions, 'coordination'> {
  erp: ErpPort;
  coordination: ErpCoordination;
  ledger: CommandLedger;
  /** Failed attempts (5xx, timeouts) before a command goes to the DLQ. */
  maxAttempts?: number;
}

export type DispatchOutcome = { outcome: 'created' | 'found-existing' | 'already-done'; receipt: ErpReceipt; erpCalls: number };

/**
 * Executes one ERP command at most once, within the shared rate budget and behind the shared breaker.
 * A command already done is acknowledged without calling the ERP; a command that may have reached the
 * ERP before (a crash, a timeout) is first looked up by its id, so a retry never creates a second effect.
 */
export const makeErpDispatch = ({ erp, coordination, ledger, maxAttempts = 8, ...gateOptions }: DispatchDependencies) => {
  const gate = makeErpGate({ coordination, ...gateOptions });
  const callErp = <T>(counter: { erpCalls: number }, call: () => Promise<T>): Promise<T> =>
    gate(() => {
      counter.erpCalls++;
      return call();
    });

  return async (command: ErpCommand): Promise<DispatchOutcome> => {
    const counter = { erpCalls: 0 };
    const previous = await ledger.start(command.commandId);
    if (previous?.status === 'done') {
      return { outcome: 'already-done', receipt: { erpReference: previous.erpReference ?? '', replayed: true }, erpCalls: 0 };
    }
    try {
      // Only a command that may already have reached the ERP needs the lookup.
      const existing = previous ? await callErp(counter, () => erp.findEffect(command)) : undefined;
      const receipt = existing ?? (await callErp(counter, () => erp.create(command)));
      await ledger.done(command.commandId, receipt);
      return { outcome: existing ? 'found-existing' : 'created', receipt, erpCalls: counter.erpCalls };
    } catch (error) {
      if (error instanceof TransientError && !(error instanceof RateLimitedError)) {
        const attempts = await ledger.failedAttempt(command.commandId);
        if (attempts >= maxAttempts) {
          throw new RetriesExhaustedError(`The ERP failed ${attempts} attempts: ${error.message}`, error.context);
        }
      }
      throw error;
    }
  };
};

import { z } from 'zod';
import type { ErpCommand, ErpCommandType } from '../core/canonical/erp-command';
import { PermanentError } from '../core/errors';
import type { ErpPort } from '../core/erp-port';
import { callJson } from './http-client';

/** Business Central API v2.0 entity sets each command writes to. */
const ENTITY_SET: Record<ErpCommandType, string> = {
  'return-authorization.create': 'salesReturnOrders',
  'refund.issue': 'salesCreditMemos',
  'credit-memo.issue': 'salesCreditMemos',
  'replacement-order.create': 'salesOrders',
};

export interface BusinessCentralOptions {
  /** e.g. https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}/api/v2.0/companies({id}) */
  baseUrl: string;
  authorization?: () => Promise<string | undefined>;
  timeoutMs?: number;
}

const Created = z.object({ id: z.string(), number: z.string().optional() });

/**
 * ERP adapter following the Business Central API v2.0 shape. The command id travels as
 * `externalDocumentNumber` and as an `Idempotency-Key` header, so a retried command is recognised
 * by the ERP instead of creating a second document.
 */
export const makeBusinessCentralErp = (options: BusinessCentralOptions): ErpPort => {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async execute(command: ErpCommand) {
      const authorization = await options.authorization?.();
      const { status, body } = await callJson({
        method: 'POST',
        url: `${base}/${ENTITY_SET[command.type]}`,
        timeoutMs: options.timeoutMs,
        headers: {
          'idempotency-key': command.commandId,
          'x-correlation-id': command.correlationId,
          ...(authorization ? { authorization } : {}),
        },
        body: { ...command.payload, externalDocumentNumber: command.commandId, orderNumber: command.orderId, commandType: command.type },
      });
      const created = Created.safeParse(body);
      if (!created.success) throw new PermanentError('The ERP accepted the command but answered in an unexpected shape', { body });
      return { erpReference: created.data.number ?? created.data.id, replayed: status === 200 };
    },
  };
};

import { z } from 'zod';

/** Writes the product asks of the ERP. Each is executed at most once per `commandId`. */
export const ErpCommandType = z.enum([
  'return-authorization.create',
  'refund.issue',
  'credit-memo.issue',
  'replacement-order.create',
]);
export type ErpCommandType = z.infer<typeof ErpCommandType>;

export const ErpCommand = z.object({
  /** Derived from the business intent (e.g. workflow id + step), never random: it is the ERP idempotency key. */
  commandId: z.string().min(1).max(128),
  type: ErpCommandType,
  orderId: z.string().min(1).max(128),
  correlationId: z.string().min(1),
  requestedAt: z.iso.datetime({ offset: true }),
  payload: z.record(z.string(), z.unknown()).default({}),
});
export type ErpCommand = z.infer<typeof ErpCommand>;

import * as z from '../zod';

/** Writes the product asks of the ERP. Each is executed at most once per `commandId`. */
export const ErpCommandType = z.enum([
  'return-authorization.create',
  'refund.issue',
  'credit-memo.issue',
  'replacement-order.create',
  // Compensation: deletes the workflow's return authorization while it is unposted (payload: returnCommandId, returnReference).
  'return-authorization.cancel',
]);
export type ErpCommandType = z.infer<typeof ErpCommandType>;

export const ErpCommand = z.object({
  /** Derived from the business intent (e.g. workflow id + step), never random: it is the ERP idempotency key. */
  commandId: z.string().check(z.minLength(1), z.maxLength(128)),
  type: ErpCommandType,
  orderId: z.string().check(z.minLength(1), z.maxLength(128)),
  correlationId: z.string().check(z.minLength(1)),
  requestedAt: z.iso.datetime({ offset: true }),
  payload: z._default(z.record(z.string(), z.unknown()), {}),
  /** Set when a workflow waits for the outcome (`sqs:sendMessage.waitForTaskToken`): the dispatcher answers it. */
  taskToken: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});
export type ErpCommand = z.infer<typeof ErpCommand>;

/**
 * Derives a command id from the business intent (e.g. a workflow id and its step), so the same
 * intent always yields the same id and the ERP effect is created once however often it is asked for.
 */
export const commandIdFor = (...intent: string[]): string => {
  // FNV-1a is enough: the id only needs to be stable and readable, not secret.
  const text = intent.join('\u001f');
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const readable = intent.join('-').replace(/[^A-Za-z0-9-]/g, '').slice(0, 100);
  return `${readable}-${hash.toString(16).padStart(8, '0')}`;
};

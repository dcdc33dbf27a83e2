import { z } from 'zod';
import { OrderStatus } from '../core/canonical/order';
import { PermanentError } from '../core/errors';
import type { ServiceDeskPort } from '../core/ports/service-desk';
import { callJson } from './http-client';

/** Ids of the ticket custom fields that carry the order a case concerns and what the ERP says of it. */
export interface ServiceDeskFieldIds {
  orderId: number;
  orderStatus: number;
  orderVersion: number;
}

export const DEFAULT_FIELD_IDS: ServiceDeskFieldIds = { orderId: 9000001, orderStatus: 9000002, orderVersion: 9000003 };

export interface ZendeskOptions {
  baseUrl: string;
  fieldIds: ServiceDeskFieldIds;
  /** Value of the Authorization header (e.g. Basic base64("agent@example.com/token:API_TOKEN")), if the desk needs one. */
  authorization?: () => Promise<string | undefined>;
  timeoutMs?: number;
}

const Ticket = z.object({
  id: z.union([z.number(), z.string()]).transform(String),
  updated_at: z.string(),
  custom_fields: z.array(z.object({ id: z.number(), value: z.unknown() })).default([]),
});

/**
 * Service-desk adapter following the Zendesk Support API: cases are tickets, the order lives in custom
 * fields, and updates use `safe_update` with `updated_stamp` so a concurrent change is refused (409)
 * instead of silently overwritten.
 */
export const makeZendeskServiceDesk = (options: ZendeskOptions): ServiceDeskPort => {
  const base = options.baseUrl.replace(/\/+$/, '');
  const headers = async (): Promise<Record<string, string>> => {
    const authorization = await options.authorization?.();
    return authorization ? { authorization } : {};
  };
  const field = (ticket: z.infer<typeof Ticket>, id: number) => ticket.custom_fields.find((entry) => entry.id === id)?.value;

  return {
    async findCasesForOrder(orderId) {
      const query = `type:ticket custom_field_${options.fieldIds.orderId}:"${orderId.replace(/"/g, '')}"`;
      const { body } = await callJson({
        method: 'GET',
        url: `${base}/api/v2/search.json?query=${encodeURIComponent(query)}`,
        headers: await headers(),
        timeoutMs: options.timeoutMs,
      });
      const parsed = z.object({ results: z.array(z.object({ id: z.union([z.number(), z.string()]) })) }).safeParse(body);
      if (!parsed.success) throw new PermanentError('Service desk search answered in an unexpected shape', { body });
      return parsed.data.results.map((result) => String(result.id));
    },

    async getCase(caseId) {
      const { body } = await callJson({
        method: 'GET',
        url: `${base}/api/v2/tickets/${encodeURIComponent(caseId)}.json`,
        headers: await headers(),
        timeoutMs: options.timeoutMs,
      });
      const parsed = z.object({ ticket: Ticket }).safeParse(body);
      if (!parsed.success) throw new PermanentError(`Service desk ticket ${caseId} came back in an unexpected shape`, { body });
      const ticket = parsed.data.ticket;
      const status = OrderStatus.safeParse(field(ticket, options.fieldIds.orderStatus));
      const version = Number(field(ticket, options.fieldIds.orderVersion));
      return {
        caseId: ticket.id,
        orderStatus: status.success ? status.data : undefined,
        orderVersion: Number.isInteger(version) && version > 0 ? version : undefined,
        revision: ticket.updated_at,
      };
    },

    async setOrderStatus(caseId, snapshot, revision) {
      await callJson({
        method: 'PUT',
        url: `${base}/api/v2/tickets/${encodeURIComponent(caseId)}.json`,
        headers: await headers(),
        timeoutMs: options.timeoutMs,
        body: {
          ticket: {
            custom_fields: [
              { id: options.fieldIds.orderStatus, value: snapshot.status },
              { id: options.fieldIds.orderVersion, value: String(snapshot.version) },
            ],
            safe_update: true,
            updated_stamp: revision,
          },
        },
      });
    },
  };
};

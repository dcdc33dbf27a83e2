import { createHash } from 'node:crypto';
import * as z from '../core/zod';
import { OrderStatus } from '../core/canonical/order';
import { PermanentError } from '../core/errors';
import { MAX_CASES_PER_READ, type LinkedCaseView, type OrderCases, type ServiceDeskBulkReads, type ServiceDeskPort } from '../core/ports/service-desk';
import type { CaseMilestones } from '../core/ports/workflow-tasks';
import type { CaseOrderView } from '../core/sync-state';
import { callJson, type HttpAuthorization, type HttpCall } from './http-client';

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
  /** The agent's API token or OAuth token (`makeServiceDeskAuthorization`); none for a desk that needs no credential (tests). */
  auth?: HttpAuthorization;
  timeoutMs?: number;
}

const Ticket = z.object({
  id: z.pipe(z.union([z.number(), z.string()]), z.transform(String)),
  updated_at: z.string(),
  status: z.optional(z.string()),
  custom_fields: z._default(z.array(z.object({ id: z.number(), value: z.unknown() })), []),
});

/** A page of the cursor-based incremental ticket export: `after_url` goes on, `end_of_stream` says it reached the present. */
const TicketExportPage = z.object({ tickets: z.array(Ticket), after_url: z.nullish(z.string()), end_of_stream: z.boolean() });

/** The base URL, the headers every call carries and a call to a path of the API, shared by the adapters below. */
const zendeskApi = (options: ZendeskOptions) => {
  const base = options.baseUrl.replace(/\/+$/, '');
  /** `target` is a path under the base URL, or a full URL the API gave out (a next page). */
  const call = async (method: HttpCall['method'], target: string, body?: unknown, extraHeaders: Record<string, string> = {}) =>
    callJson({ method, url: /^https?:\/\//.test(target) ? target : `${base}${target}`, headers: extraHeaders, body, timeoutMs: options.timeoutMs, auth: options.auth });
  return { call };
};

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The short reference a milestone's note ends with (`ref: rs-<16 hex of sha256(key)>`): Zendesk offers no
 * idempotency key for ticket updates and comment `metadata` is read-only, so the note itself carries it.
 *
 * @example
 * milestoneReference('rr-1:resolved:2026-11-27T10:00:00.000Z'); // 'rs-3f0c…' (16 hex digits)
 */
export const milestoneReference = (milestoneKey: string) => `rs-${sha256Hex(milestoneKey).slice(0, 16)}`;

const Comment = z.object({ body: z._default(z.string(), ''), plain_body: z.optional(z.string()) });
const CommentsPage = z.object({
  comments: z.array(Comment),
  meta: z.optional(z.object({ has_more: z.optional(z.boolean()) })),
  links: z.optional(z.object({ next: z.nullish(z.string()) })),
  next_page: z.nullish(z.string()),
});

/**
 * Service-desk adapter following the Zendesk Support API: cases are tickets, the order lives in custom
 * fields, and updates use `safe_update` with `updated_stamp` so a concurrent change is refused (409)
 * instead of silently overwritten.
 */
export const makeZendeskServiceDesk = (options: ZendeskOptions): ServiceDeskPort & ServiceDeskBulkReads & OrderCases => {
  const { call } = zendeskApi(options);
  const field = (ticket: z.infer<typeof Ticket>, id: number) => ticket.custom_fields.find((entry) => entry.id === id)?.value;
  /** What a ticket shows of its order, from the status and version fields. */
  const caseView = (ticket: z.infer<typeof Ticket>): CaseOrderView => {
    const status = OrderStatus.safeParse(field(ticket, options.fieldIds.orderStatus));
    const version = Number(field(ticket, options.fieldIds.orderVersion));
    return {
      caseId: ticket.id,
      orderStatus: status.success ? status.data : undefined,
      orderVersion: Number.isInteger(version) && version > 0 ? version : undefined,
      revision: ticket.updated_at,
    };
  };
  /** What a ticket shows of its order, and which order its order field names. */
  const linkedCaseView = (ticket: z.infer<typeof Ticket>): LinkedCaseView => {
    const orderId = field(ticket, options.fieldIds.orderId);
    return { ...caseView(ticket), ...(typeof orderId === 'string' && orderId !== '' ? { orderId } : {}) };
  };
  /** Tickets whose order field holds the order, with their status. */
  const searchOrder = async (orderId: string) => {
    const query = `type:ticket custom_field_${options.fieldIds.orderId}:"${orderId.replace(/"/g, '')}"`;
    const { body } = await call('GET', `/api/v2/search.json?query=${encodeURIComponent(query)}`);
    const parsed = z.object({ results: z.array(z.object({ id: z.pipe(z.union([z.number(), z.string()]), z.transform(String)), status: z.optional(z.string()) })) }).safeParse(body);
    if (!parsed.success) throw new PermanentError('Service desk search answered in an unexpected shape', { body });
    return parsed.data.results;
  };

  return {
    async findCasesForOrder(orderId) {
      return (await searchOrder(orderId)).map((result) => result.id);
    },

    async getCase(caseId) {
      const { body } = await call('GET', `/api/v2/tickets/${encodeURIComponent(caseId)}.json`);
      const parsed = z.object({ ticket: Ticket }).safeParse(body);
      if (!parsed.success) throw new PermanentError(`Service desk ticket ${caseId} came back in an unexpected shape`, { body });
      return caseView(parsed.data.ticket);
    },

    async exportCasesChanged(since, cursor) {
      // Cursor-based incremental ticket export: up to 1,000 tickets a page with their custom fields, oldest change first.
      const first = `/api/v2/incremental/tickets/cursor.json?start_time=${Math.floor(since.getTime() / 1000)}&exclude_deleted=true`;
      const { body } = await call('GET', cursor ?? first);
      const page = TicketExportPage.safeParse(body);
      if (!page.success) throw new PermanentError('Service desk incremental ticket export answered in an unexpected shape', { body });
      const cases = page.data.tickets.filter((ticket) => ticket.status !== 'deleted').map(linkedCaseView);
      return { cases, ...(!page.data.end_of_stream && page.data.after_url ? { nextCursor: page.data.after_url } : {}) };
    },

    async getCases(caseIds) {
      if (caseIds.length === 0) return [];
      if (caseIds.length > MAX_CASES_PER_READ) throw new PermanentError(`Show Many Tickets takes at most ${MAX_CASES_PER_READ} ids, not ${caseIds.length}`);
      const ids = caseIds.map((caseId) => encodeURIComponent(caseId)).join(',');
      const { body } = await call('GET', `/api/v2/tickets/show_many.json?ids=${ids}`);
      const parsed = z.object({ tickets: z.array(Ticket) }).safeParse(body);
      if (!parsed.success) throw new PermanentError('Service desk Show Many Tickets answered in an unexpected shape', { body });
      // A deleted ticket is not returned (or comes back as deleted): it is no longer linked to anything.
      return parsed.data.tickets.filter((ticket) => ticket.status !== 'deleted').map(linkedCaseView);
    },

    async setOrderStatus(caseId, snapshot, revision) {
      const { body } = await call('PUT', `/api/v2/tickets/${encodeURIComponent(caseId)}.json`, {
        ticket: {
          custom_fields: [
            { id: options.fieldIds.orderStatus, value: snapshot.status },
            { id: options.fieldIds.orderVersion, value: String(snapshot.version) },
          ],
          safe_update: true,
          updated_stamp: revision,
        },
      });
      // Zendesk answers with the ticket after the update (and the triggers it fired). The write happened, so
      // an answer in another shape is not an error: it just verifies nothing.
      const parsed = z.object({ ticket: Ticket }).safeParse(body);
      return parsed.success ? caseView(parsed.data.ticket) : undefined;
    },

    async openCaseForOrder(orderId, subject, note) {
      // A closed ticket takes no more updates: the order needs a new case then.
      const open = (await searchOrder(orderId)).find((result) => result.status !== 'closed');
      if (open) return { caseId: open.id, created: false };
      // Search lags ticket creation by a little; within that window the idempotency key (kept by Zendesk for
      // about two hours) stops a redelivered request from creating a second ticket. The key covers the payload,
      // since Zendesk refuses one key with another payload.
      const { headers: answered, body } = await call(
        'POST',
        '/api/v2/tickets.json',
        { ticket: { subject, comment: { body: note, public: false }, custom_fields: [{ id: options.fieldIds.orderId, value: orderId }] } },
        { 'idempotency-key': `retail-sync:order-case:${orderId}:${sha256Hex(`${subject}\n${note}`).slice(0, 16)}` },
      );
      const created = z.object({ ticket: z.object({ id: z.union([z.number(), z.string()]) }) }).safeParse(body);
      if (!created.success) throw new PermanentError('Service desk answered a ticket creation in an unexpected shape', { body });
      return { caseId: String(created.data.ticket.id), created: answered.get('x-idempotency-lookup') !== 'hit' };
    },
  };
};

/**
 * A workflow's milestones as internal notes on its Zendesk ticket, once per milestone key: before adding
 * a note it reads the ticket's comments (every page) for the key's reference (`milestoneReference`), so a
 * redelivered step adds nothing. The note and, with `solve`, `status: solved` go in one update, so a note
 * found means the case was solved too (an agent may reopen it later; a repeat does not solve it again).
 *
 * @example
 * const milestones = makeZendeskCaseMilestones({ baseUrl: 'https://acme.zendesk.com', fieldIds: DEFAULT_FIELD_IDS });
 * await milestones.post('4711', 'rr-1:resolved:2026-11-27T10:00:00.000Z', 'Resolved: replacement sent.', { solve: true });
 */
export const makeZendeskCaseMilestones = (options: ZendeskOptions): CaseMilestones => {
  const { call } = zendeskApi(options);

  const hasNoteWith = async (caseId: string, reference: string) => {
    let next: string | undefined = `/api/v2/tickets/${encodeURIComponent(caseId)}/comments.json?page[size]=100`;
    while (next) {
      const { body } = await call('GET', next);
      const page = CommentsPage.safeParse(body);
      if (!page.success) throw new PermanentError(`Service desk comments of ticket ${caseId} came back in an unexpected shape`, { body });
      if (page.data.comments.some((comment) => comment.body.includes(reference) || comment.plain_body?.includes(reference))) return true;
      next = page.data.meta?.has_more ? (page.data.links?.next ?? undefined) : (page.data.next_page ?? undefined);
    }
    return false;
  };

  return {
    async post(caseId, milestoneKey, note, { solve }) {
      const reference = milestoneReference(milestoneKey);
      if (await hasNoteWith(caseId, reference)) return;
      await call('PUT', `/api/v2/tickets/${encodeURIComponent(caseId)}.json`, {
        ticket: { comment: { body: `${note}\n\nref: ${reference}`, public: false }, ...(solve ? { status: 'solved' } : {}) },
      });
    },
  };
};

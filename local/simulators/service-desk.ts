import { serveJson, type RunningServer, type SimRequest } from './http';

interface Ticket {
  id: number;
  subject: string;
  status: string;
  created_at: string;
  updated_at: string;
  custom_fields: Array<{ id: number; value: unknown }>;
}

/** A ticket comment in the shape of Zendesk's List Comments. */
export interface TicketComment {
  id: number;
  type: 'Comment';
  body: string;
  html_body: string;
  plain_body: string;
  public: boolean;
  author_id: number;
  created_at: string;
}

/** Whether a lost update is already missing from the ticket the update answers with, or only from later reads. */
export type LostUpdateTiming = 'in-answer' | 'after-answer';

/** The API user the simulator takes every call to be. */
const API_USER_ID = 900;

export interface ServiceDeskSimulator extends RunningServer {
  tickets: Map<number, Ticket>;
  /** Each ticket's comments, oldest first. */
  comments: Map<number, TicketComment[]>;
  /** API calls answered so far (any route but the simulator's own), in all and per route (`GET /api/v2/tickets/{id}.json`). */
  stats: { calls: number; byRoute: Record<string, number> };
  /**
   * Adds a ticket directly, as if created and last changed at `updatedAt` (for seeding many tickets without
   * an API call each, e.g. a benchmark); answers its id.
   */
  seedTicket(ticket: { subject: string; custom_fields: Array<{ id: number; value: unknown }>; updatedAt: Date }): number;
  /** Makes the next `count` API calls answer 429 with Retry-After. */
  rateLimitNext(count: number, retryAfterSeconds?: number): void;
  /**
   * Loses the next `count` ticket updates (their fields, status and comment). `in-answer` (the default):
   * something undoes the change within the update, as a trigger does, so the ticket the API answers with
   * (200) already shows the old values. `after-answer`: the answer shows the change, then something
   * overwrites it with the old values (an agent's stale form), so only a later read shows the loss.
   */
  loseNextUpdates(count: number, when?: LostUpdateTiming): void;
  /** Makes the next `count` searches answer no results, as Zendesk's search index lags new tickets. */
  lagNextSearches(count: number): void;
  /** Makes the next `count` ticket updates answer `status` (e.g. 422, Zendesk's RecordInvalid); `0` ends it. */
  failNextUpdates(count: number, status?: number): void;
  /** Calls `listener` with the ticket as each update leaves it, when the update is applied (not lost); answers a function that stops it. */
  onTicketUpdated(listener: (ticket: Readonly<Ticket>) => void): () => void;
}

/**
 * A service desk on loopback that answers like the Zendesk Support API for what the product uses:
 * create/get/update tickets with custom fields (updates honour `safe_update`), comments added by a
 * create or an update (`ticket.comment`) and listed with cursor pagination, status changes, ticket
 * creation with an `Idempotency-Key`, search by custom field, Show Many Tickets (`show_many.json?ids=`, at
 * most 100) and the cursor-based incremental ticket export (`incremental/tickets/cursor.json`: `start_time`,
 * `per_page` up to 1,000, `after_url`/`after_cursor`, `end_of_stream`). Its own read
 * `GET /_sim/tickets/{id}/comments` shows a case's comments in order, with the status.
 */
export interface ServiceDeskSimulatorOptions {
  port?: number;
  /** When set, the API answers 401 unless the call carries this `Authorization` header (Zendesk: basic auth with an API token, or a bearer token). */
  requireAuthorization?: string;
}

export const startServiceDeskSimulator = async (options: ServiceDeskSimulatorOptions = {}): Promise<ServiceDeskSimulator> => {
  const tickets = new Map<number, Ticket>();
  const comments = new Map<number, TicketComment[]>();
  // Zendesk keeps an idempotency key about two hours; the simulator keeps it for its lifetime.
  const idempotencyKeys = new Map<string, { ticketId: number; payload: string }>();
  let nextId = 1;
  let nextCommentId = 1;
  let lastStamp = 0;
  let rateLimited = { remaining: 0, retryAfterSeconds: 1 };
  let updatesToLose = 0;
  let lostUpdateTiming: LostUpdateTiming = 'in-answer';
  let searchesToLag = 0;
  let failingUpdates = { remaining: 0, status: 422 };
  // Every change gets a distinct updated_at, as the optimistic lock needs.
  const stamp = () => {
    lastStamp = Math.max(Date.now(), lastStamp + 1);
    return new Date(lastStamp).toISOString();
  };
  const stats = { calls: 0, byRoute: {} as Record<string, number> };
  const updateListeners = new Set<(ticket: Readonly<Ticket>) => void>();
  const throttle = <T>(handle: (request: SimRequest) => T) => (request: SimRequest) => {
    stats.calls++;
    const route = `${request.method} ${request.path.replace(/\/\d+/g, '/{id}')}`;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    if (options.requireAuthorization !== undefined && request.headers.authorization !== options.requireAuthorization) {
      return { status: 401, body: { error: "Couldn't authenticate you" } };
    }
    if (rateLimited.remaining > 0) {
      rateLimited.remaining--;
      return { status: 429, headers: { 'retry-after': String(rateLimited.retryAfterSeconds) }, body: { error: 'TooManyRequests' } };
    }
    return handle(request);
  };
  const notFound = { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
  type CommentInput = { body?: string; html_body?: string; public?: boolean };
  const addComment = (ticketId: number, input: CommentInput | undefined, at: string) => {
    if (!input) return;
    const body = input.body ?? input.html_body ?? '';
    const list = comments.get(ticketId) ?? [];
    list.push({ id: nextCommentId++, type: 'Comment', body, html_body: `<p>${body}</p>`, plain_body: body, public: input.public ?? true, author_id: API_USER_ID, created_at: at });
    comments.set(ticketId, list);
  };

  const server = await serveJson(
    [
      [
        'POST',
        /^\/api\/v2\/tickets\.json$/,
        throttle((request) => {
          const input = (request.body as { ticket?: Partial<Ticket> & { comment?: CommentInput } })?.ticket;
          if (!input) return { status: 422, body: { error: 'RecordInvalid', description: 'ticket is required' } };
          const key = request.headers['idempotency-key'];
          const payload = JSON.stringify(request.body);
          const earlier = typeof key === 'string' ? idempotencyKeys.get(key) : undefined;
          if (earlier) {
            if (earlier.payload !== payload) return { status: 400, body: { error: 'IdempotentRequestError', description: 'Idempotency-Key reused with a different payload' } };
            return { status: 201, headers: { 'x-idempotency-lookup': 'hit' }, body: { ticket: tickets.get(earlier.ticketId) } };
          }
          const now = stamp();
          const ticket: Ticket = { id: nextId++, subject: input.subject ?? '(no subject)', status: input.status ?? 'open', created_at: now, updated_at: now, custom_fields: input.custom_fields ?? [] };
          tickets.set(ticket.id, ticket);
          addComment(ticket.id, input.comment, now);
          if (typeof key === 'string') idempotencyKeys.set(key, { ticketId: ticket.id, payload });
          return { status: 201, headers: typeof key === 'string' ? { 'x-idempotency-lookup': 'miss' } : {}, body: { ticket } };
        }),
      ],
      [
        'GET',
        /^\/api\/v2\/tickets\/show_many\.json$/,
        throttle((request) => {
          const ids = (request.query.get('ids') ?? '').split(',').filter((id) => id !== '');
          if (ids.length === 0 || ids.length > 100 || ids.some((id) => !/^\d+$/.test(id))) {
            return { status: 400, body: { error: 'InvalidParameter', description: 'ids: 1 to 100 ticket ids, comma-separated' } };
          }
          // Like Zendesk, ids that name no ticket are left out of the answer.
          return { status: 200, body: { tickets: ids.map((id) => tickets.get(Number(id))).filter((ticket) => ticket !== undefined) } };
        }),
      ],
      [
        'GET',
        /^\/api\/v2\/incremental\/tickets\/cursor\.json$/,
        throttle((request) => {
          // Cursor-based incremental ticket export: tickets changed at or after start_time (Unix seconds), oldest change
          // first; the cursor is the position after the last ticket given. (Zendesk also leaves out the last minute's changes;
          // the simulator does not.)
          const cursor = request.query.get('cursor');
          const startTime = request.query.get('start_time');
          const perPage = Math.min(Math.max(Number(request.query.get('per_page') ?? 1000) || 1000, 1), 1000);
          let after: { at: number; id: number };
          if (cursor !== null) {
            const decoded = /^(\d+)\.(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
            if (!decoded) return { status: 422, body: { error: 'InvalidPaginationParameter', description: 'cursor is not valid' } };
            after = { at: Number(decoded[1]), id: Number(decoded[2]) };
          } else {
            if (startTime === null || !/^\d+$/.test(startTime)) return { status: 400, body: { error: 'InvalidValue', description: 'start_time (Unix seconds) or cursor is required' } };
            if (Number(startTime) * 1000 > Date.now()) return { status: 400, body: { error: 'InvalidValue', description: 'start_time is in the future' } };
            after = { at: Number(startTime) * 1000 - 1, id: Number.MAX_SAFE_INTEGER };
          }
          const changed = [...tickets.values()]
            .map((ticket) => ({ ticket, at: Date.parse(ticket.updated_at) }))
            .filter(({ ticket, at }) => at > after.at || (at === after.at && ticket.id > after.id))
            .sort((a, b) => a.at - b.at || a.ticket.id - b.ticket.id);
          const page = changed.slice(0, perPage);
          const last = page.at(-1);
          const nextCursor = last ? Buffer.from(`${last.at}.${last.ticket.id}`).toString('base64url') : (cursor ?? Buffer.from(`${after.at}.${after.id}`).toString('base64url'));
          const next = new URL(`http://${request.headers.host}${request.path}`);
          next.searchParams.set('cursor', nextCursor);
          if (request.query.get('per_page') !== null) next.searchParams.set('per_page', String(perPage));
          return {
            status: 200,
            body: {
              tickets: page.map(({ ticket }) => ticket),
              after_url: next.toString(),
              after_cursor: nextCursor,
              before_url: null,
              before_cursor: null,
              end_of_stream: changed.length <= perPage,
            },
          };
        }),
      ],
      [
        'GET',
        /^\/api\/v2\/tickets\/(?<id>\d+)\.json$/,
        throttle((request) => {
          const ticket = tickets.get(Number(request.params.id));
          return ticket ? { status: 200, body: { ticket } } : notFound;
        }),
      ],
      [
        'PUT',
        /^\/api\/v2\/tickets\/(?<id>\d+)\.json$/,
        throttle((request) => {
          const stored = tickets.get(Number(request.params.id));
          if (!stored) return notFound;
          const input = (request.body as { ticket?: Partial<Ticket> & { safe_update?: boolean; updated_stamp?: string; comment?: CommentInput } })?.ticket ?? {};
          if (failingUpdates.remaining > 0) {
            failingUpdates.remaining--;
            return { status: failingUpdates.status, body: failingUpdates.status === 422 ? { error: 'RecordInvalid', description: 'Record validation errors (simulated fault)' } : { error: 'SimulatedFault' } };
          }
          if (stored.status === 'closed') return { status: 422, body: { error: 'RecordInvalid', description: 'Status: closed prevents ticket update' } };
          if (input.safe_update && input.updated_stamp !== stored.updated_at) {
            return { status: 409, body: { error: 'UpdateConflict', description: 'The ticket was updated by someone else' } };
          }
          const lost = updatesToLose > 0;
          if (lost) updatesToLose--;
          const before = structuredClone(stored);
          for (const field of input.custom_fields ?? []) {
            const existing = stored.custom_fields.find((entry) => entry.id === field.id);
            if (existing) existing.value = field.value;
            else stored.custom_fields.push({ ...field });
          }
          if (input.status) stored.status = input.status;
          stored.updated_at = stamp();
          if (!lost) {
            addComment(stored.id, input.comment, stored.updated_at);
            updateListeners.forEach((listener) => listener(stored));
            return { status: 200, body: { ticket: stored } };
          }
          // The undoing is itself a change: the ticket gets a newer updated_at, as Zendesk stamps any update.
          const answer = structuredClone(stored);
          Object.assign(stored, { custom_fields: before.custom_fields, status: before.status, updated_at: stamp() });
          return { status: 200, body: { ticket: lostUpdateTiming === 'in-answer' ? stored : answer } };
        }),
      ],
      [
        'GET',
        /^\/api\/v2\/tickets\/(?<id>\d+)\/comments\.json$/,
        throttle((request) => {
          const id = Number(request.params.id);
          if (!tickets.has(id)) return notFound;
          // Cursor pagination as Zendesk answers it: page[size] (at most 100) and page[after].
          const all = comments.get(id) ?? [];
          const size = Math.min(Math.max(Number(request.query.get('page[size]') ?? 100) || 100, 1), 100);
          const start = Number(request.query.get('page[after]') ?? 0) || 0;
          const page = all.slice(start, start + size);
          const end = start + page.length;
          const hasMore = end < all.length;
          const next = new URL(`http://${request.headers.host}${request.path}`);
          next.searchParams.set('page[size]', String(size));
          next.searchParams.set('page[after]', String(end));
          return {
            status: 200,
            body: {
              comments: page,
              meta: { has_more: hasMore, after_cursor: hasMore ? String(end) : null, before_cursor: start > 0 ? String(start) : null },
              links: { next: hasMore ? next.toString() : null, prev: null },
            },
          };
        }),
      ],
      [
        'GET',
        /^\/_sim\/tickets\/(?<id>\d+)\/comments$/,
        (request) => {
          const ticket = tickets.get(Number(request.params.id));
          if (!ticket) return notFound;
          const list = comments.get(ticket.id) ?? [];
          return { status: 200, body: { ticketId: ticket.id, status: ticket.status, comments: list.map((comment) => ({ at: comment.created_at, public: comment.public, body: comment.body })) } };
        },
      ],
      [
        'GET',
        /^\/api\/v2\/search\.json$/,
        throttle((request) => {
          const query = request.query.get('query') ?? '';
          const match = /custom_field_(\d+):"?([^"\s]+)"?/.exec(query);
          if (!match) return { status: 400, body: { error: 'InvalidQuery' } };
          const [, field, value] = match;
          const lagging = searchesToLag > 0;
          if (lagging) searchesToLag--;
          const results = [...tickets.values()].filter((ticket) =>
            !lagging &&
            ticket.custom_fields.some((entry) => entry.id === Number(field) && String(entry.value) === value),
          );
          return { status: 200, body: { results: results.map((ticket) => ({ ...ticket, result_type: 'ticket' })), count: results.length } };
        }),
      ],
      [
        'POST',
        /^\/_sim\/lose-updates$/,
        (request) => {
          // The next `count` ticket updates answer 200 but are undone: by a trigger within the update (`in-answer`,
          // the answer shows the old values) or by an agent's stale form after it (`after-answer`).
          const { count, when = 'in-answer' } = (request.body ?? {}) as { count?: unknown; when?: unknown };
          if (!Number.isInteger(count)) return { status: 400, body: { error: 'InvalidRequest', description: 'count (a whole number) is required' } };
          if (when !== 'in-answer' && when !== 'after-answer') return { status: 400, body: { error: 'InvalidRequest', description: 'when is "in-answer" or "after-answer"' } };
          updatesToLose = count as number;
          lostUpdateTiming = when;
          return { status: 204 };
        },
      ],
      [
        'POST',
        /^\/_sim\/faults$/,
        (request) => {
          // The next `count` ticket updates answer `status` (a 4xx the product must not retry, or a 5xx); count 0 ends it.
          const { count, status = 422 } = (request.body ?? {}) as { count?: unknown; status?: unknown };
          if (!Number.isInteger(count) || (count as number) < 0 || !Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) {
            return { status: 400, body: { error: 'InvalidRequest', description: 'count (a whole number, 0 to stop) and status (400–599, default 422) are required' } };
          }
          failingUpdates = { remaining: count as number, status: status as number };
          return { status: 204 };
        },
      ],
      [
        'GET',
        /^\/_sim\/tickets$/,
        () => ({ status: 200, body: { tickets: [...tickets.values()].map((ticket) => ({ id: ticket.id, subject: ticket.subject, status: ticket.status, custom_fields: ticket.custom_fields, comments: comments.get(ticket.id)?.length ?? 0 })) } }),
      ],
      [
        'POST',
        /^\/_sim\/rate-limit$/,
        (request) => {
          const { count = 1, retryAfterSeconds = 1 } = (request.body ?? {}) as { count?: number; retryAfterSeconds?: number };
          rateLimited = { remaining: count, retryAfterSeconds };
          return { status: 204 };
        },
      ],
    ],
    options.port,
  );
  return {
    ...server,
    tickets,
    comments,
    stats,
    seedTicket: ({ subject, custom_fields, updatedAt }) => {
      const at = updatedAt.toISOString();
      const ticket: Ticket = { id: nextId++, subject, status: 'open', created_at: at, updated_at: at, custom_fields };
      tickets.set(ticket.id, ticket);
      return ticket.id;
    },
    rateLimitNext: (count, retryAfterSeconds = 1) => {
      rateLimited = { remaining: count, retryAfterSeconds };
    },
    loseNextUpdates: (count, when = 'in-answer') => {
      updatesToLose = count;
      lostUpdateTiming = when;
    },
    lagNextSearches: (count) => {
      searchesToLag = count;
    },
    failNextUpdates: (count, status = 422) => {
      failingUpdates = { remaining: count, status };
    },
    onTicketUpdated: (listener) => {
      updateListeners.add(listener);
      return () => void updateListeners.delete(listener);
    },
  };
};

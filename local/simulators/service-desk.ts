import { serveJson, type RunningServer, type SimRequest } from './http';

interface Ticket {
  id: number;
  subject: string;
  status: string;
  created_at: string;
  updated_at: string;
  custom_fields: Array<{ id: number; value: unknown }>;
}

export interface ServiceDeskSimulator extends RunningServer {
  tickets: Map<number, Ticket>;
  /** API calls answered so far (any route but the simulator's own). */
  stats: { calls: number };
  /** Makes the next `count` API calls answer 429 with Retry-After. */
  rateLimitNext(count: number, retryAfterSeconds?: number): void;
  /**
   * Loses the next `count` ticket updates: the API answers 200 with the ticket as if changed, but the
   * stored ticket stays as it was (as when a trigger or an agent's stale form overwrites the change).
   */
  loseNextUpdates(count: number): void;
}

/**
 * A service desk on loopback that answers like the Zendesk Support API for what the product uses:
 * create/get/update tickets with custom fields (updates honour `safe_update`), and search by custom field.
 */
export const startServiceDeskSimulator = async (options: { port?: number } = {}): Promise<ServiceDeskSimulator> => {
  const tickets = new Map<number, Ticket>();
  let nextId = 1;
  let lastStamp = 0;
  let rateLimited = { remaining: 0, retryAfterSeconds: 1 };
  let updatesToLose = 0;
  // Every change gets a distinct updated_at, as the optimistic lock needs.
  const stamp = () => {
    lastStamp = Math.max(Date.now(), lastStamp + 1);
    return new Date(lastStamp).toISOString();
  };
  const stats = { calls: 0 };
  const throttle = <T>(handle: (request: SimRequest) => T) => (request: SimRequest) => {
    stats.calls++;
    if (rateLimited.remaining > 0) {
      rateLimited.remaining--;
      return { status: 429, headers: { 'retry-after': String(rateLimited.retryAfterSeconds) }, body: { error: 'TooManyRequests' } };
    }
    return handle(request);
  };
  const notFound = { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };

  const server = await serveJson(
    [
      [
        'POST',
        /^\/api\/v2\/tickets\.json$/,
        throttle((request) => {
          const input = (request.body as { ticket?: Partial<Ticket> })?.ticket;
          if (!input) return { status: 422, body: { error: 'RecordInvalid', description: 'ticket is required' } };
          const now = stamp();
          const ticket: Ticket = { id: nextId++, subject: input.subject ?? '(no subject)', status: 'open', created_at: now, updated_at: now, custom_fields: input.custom_fields ?? [] };
          tickets.set(ticket.id, ticket);
          return { status: 201, body: { ticket } };
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
          const input = (request.body as { ticket?: Partial<Ticket> & { safe_update?: boolean; updated_stamp?: string } })?.ticket ?? {};
          if (input.safe_update && input.updated_stamp !== stored.updated_at) {
            return { status: 409, body: { error: 'UpdateConflict', description: 'The ticket was updated by someone else' } };
          }
          const lost = updatesToLose > 0;
          if (lost) updatesToLose--;
          const ticket = lost ? (structuredClone(stored) as Ticket) : stored;
          for (const field of input.custom_fields ?? []) {
            const existing = ticket.custom_fields.find((entry) => entry.id === field.id);
            if (existing) existing.value = field.value;
            else ticket.custom_fields.push({ ...field });
          }
          if (input.status) ticket.status = input.status;
          ticket.updated_at = stamp();
          return { status: 200, body: { ticket } };
        }),
      ],
      [
        'GET',
        /^\/api\/v2\/search\.json$/,
        throttle((request) => {
          const query = request.query.get('query') ?? '';
          const match = /custom_field_(\d+):"?([^"\s]+)"?/.exec(query);
          if (!match) return { status: 400, body: { error: 'InvalidQuery' } };
          const [, field, value] = match;
          const results = [...tickets.values()].filter((ticket) =>
            ticket.custom_fields.some((entry) => entry.id === Number(field) && String(entry.value) === value),
          );
          return { status: 200, body: { results: results.map((ticket) => ({ ...ticket, result_type: 'ticket' })), count: results.length } };
        }),
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
    stats,
    rateLimitNext: (count, retryAfterSeconds = 1) => {
      rateLimited = { remaining: count, retryAfterSeconds };
    },
    loseNextUpdates: (count) => {
      updatesToLose = count;
    },
  };
};

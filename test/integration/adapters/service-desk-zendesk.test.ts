import { DEFAULT_FIELD_IDS, makeZendeskServiceDesk } from '../../../functions/adapters/service-desk-zendesk';
import { PermanentError, RateLimitedError, TransientError } from '../../../functions/core/errors';
import { startServiceDeskSimulator, type ServiceDeskSimulator } from '../../../local/simulators/service-desk';

describe('Zendesk-shaped service desk adapter against the simulator', () => {
  let simulator: ServiceDeskSimulator;
  let desk: ReturnType<typeof makeZendeskServiceDesk>;

  const createTicket = async (orderId: string) => {
    const response = await fetch(`${simulator.url}/api/v2/tickets.json`, {
      method: 'POST',
      body: JSON.stringify({ ticket: { subject: 'Where is my order?', custom_fields: [{ id: DEFAULT_FIELD_IDS.orderId, value: orderId }] } }),
    });
    return String(((await response.json()) as { ticket: { id: number } }).ticket.id);
  };

  beforeAll(async () => {
    simulator = await startServiceDeskSimulator();
    desk = makeZendeskServiceDesk({ baseUrl: simulator.url, fieldIds: DEFAULT_FIELD_IDS });
  });
  afterAll(() => simulator.close());

  it('finds the cases linked to an order through search', async () => {
    const first = await createTicket('SO-77');
    const second = await createTicket('SO-77');
    await createTicket('SO-78');
    expect(await desk.findCasesForOrder('SO-77')).toEqual([first, second]);
  });

  it('sets the order status on a case and reads it back', async () => {
    const caseId = await createTicket('SO-80');
    const before = await desk.getCase(caseId);
    expect(before).toMatchObject({ caseId, orderStatus: undefined, orderVersion: undefined });
    await desk.setOrderStatus(caseId, { status: 'shipped', version: 4 }, before.revision);
    expect(await desk.getCase(caseId)).toMatchObject({ caseId, orderStatus: 'shipped', orderVersion: 4 });
  });

  it('reports a concurrent change as a retryable conflict (safe_update)', async () => {
    const caseId = await createTicket('SO-81');
    const stale = (await desk.getCase(caseId)).revision;
    await desk.setOrderStatus(caseId, { status: 'picking', version: 2 }, stale);
    const error = await desk.setOrderStatus(caseId, { status: 'confirmed', version: 1 }, stale).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).context.conflict).toBe(true);
  });

  it('turns 429 into a rate-limited error carrying Retry-After', async () => {
    simulator.rateLimitNext(1, 7);
    const error = await desk.findCasesForOrder('SO-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(7);
  });

  it('reports a missing case as permanent', async () => {
    await expect(desk.getCase('999999')).rejects.toBeInstanceOf(PermanentError);
  });

  it('reports an unreachable desk as transient', async () => {
    const down = makeZendeskServiceDesk({ baseUrl: 'http://127.0.0.1:9', fieldIds: DEFAULT_FIELD_IDS, timeoutMs: 500 });
    await expect(down.findCasesForOrder('SO-1')).rejects.toBeInstanceOf(TransientError);
  });
});

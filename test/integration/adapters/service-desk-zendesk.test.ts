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
    // Prepare
    const first = await createTicket('SO-77');
    const second = await createTicket('SO-77');
    await createTicket('SO-78');

    // Act
    const found = await desk.findCasesForOrder('SO-77');

    // Assess
    expect(found).toEqual([first, second]);
  });

  it('reads a case that shows no order status yet', async () => {
    // Prepare
    const caseId = await createTicket('SO-79');

    // Act
    const shown = await desk.getCase(caseId);

    // Assess
    expect(shown).toMatchObject({ caseId, orderStatus: undefined, orderVersion: undefined });
  });

  it('sets the order status on a case', async () => {
    // Prepare
    const caseId = await createTicket('SO-80');
    const { revision } = await desk.getCase(caseId);

    // Act
    await desk.setOrderStatus(caseId, { status: 'shipped', version: 4 }, revision);

    // Assess
    expect(await desk.getCase(caseId)).toMatchObject({ caseId, orderStatus: 'shipped', orderVersion: 4 });
  });

  it('reports a concurrent change as a retryable conflict (safe_update)', async () => {
    // Prepare
    const caseId = await createTicket('SO-81');
    const stale = (await desk.getCase(caseId)).revision;
    await desk.setOrderStatus(caseId, { status: 'picking', version: 2 }, stale);

    // Act
    const error = await desk.setOrderStatus(caseId, { status: 'confirmed', version: 1 }, stale).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).context.conflict).toBe(true);
  });

  it('turns 429 into a rate-limited error carrying Retry-After', async () => {
    // Prepare
    simulator.rateLimitNext(1, 7);

    // Act
    const error = await desk.findCasesForOrder('SO-1').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(7);
  });

  it('reports a missing case as permanent', async () => {
    // Act
    const reading = desk.getCase('999999');

    // Assess
    await expect(reading).rejects.toBeInstanceOf(PermanentError);
  });

  it('reports an unreachable desk as transient', async () => {
    // Prepare
    const down = makeZendeskServiceDesk({ baseUrl: 'http://127.0.0.1:9', fieldIds: DEFAULT_FIELD_IDS, timeoutMs: 500 });

    // Act
    const search = down.findCasesForOrder('SO-1');

    // Assess
    await expect(search).rejects.toBeInstanceOf(TransientError);
  });
});

import { DEFAULT_FIELD_IDS, makeZendeskCaseMilestones, makeZendeskServiceDesk, milestoneReference } from '../../../functions/adapters/service-desk-zendesk';
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

  it('exports every case changed since a time, a page at a time, with the order each names and what it shows', async () => {
    // Prepare
    const since = new Date(Math.floor(Date.now() / 1000) * 1000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createTicket(`SO-EX${i}`));
    await desk.setOrderStatus(ids[0]!, { status: 'shipped', version: 4 }, (await desk.getCase(ids[0]!)).revision);
    const exportCalls = () => simulator.stats.byRoute['GET /api/v2/incremental/tickets/cursor.json'] ?? 0;
    const before = exportCalls();

    // Act: the simulator pages by `per_page`, as Zendesk does (up to 1,000); the adapter follows after_url.
    const small = makeZendeskServiceDesk({ baseUrl: simulator.url, fieldIds: DEFAULT_FIELD_IDS });
    const seen: Awaited<ReturnType<typeof desk.exportCasesChanged>>['cases'] = [];
    let cursor: string | undefined = `${simulator.url}/api/v2/incremental/tickets/cursor.json?start_time=${since.getTime() / 1000}&per_page=2`;
    do {
      const page = await small.exportCasesChanged(since, cursor);
      seen.push(...page.cases);
      cursor = page.nextCursor;
    } while (cursor);

    // Assess: oldest change first, so the updated case comes last; every page but the last says where to go on.
    // (Tickets of other tests changed in the same second come too.)
    const ours = seen.filter((view) => ids.includes(view.caseId));
    expect(ours.map((view) => view.caseId)).toEqual([...ids.slice(1), ids[0]]);
    expect(seen.at(-1)).toMatchObject({ caseId: ids[0], orderId: 'SO-EX0', orderStatus: 'shipped', orderVersion: 4 });
    expect(ours[0]).toMatchObject({ caseId: ids[1], orderId: 'SO-EX1', orderStatus: undefined, orderVersion: undefined });
    expect(exportCalls() - before).toBe(Math.ceil(seen.length / 2));
  });

  it('starts an export at a time and ends it when the stream reaches the present', async () => {
    // Prepare
    const since = new Date(Date.now() - 1000);
    const caseId = await createTicket('SO-EX9');

    // Act
    const page = await desk.exportCasesChanged(since);

    // Assess
    expect(page.cases.map((view) => view.caseId)).toContain(caseId);
    expect(page.nextCursor).toBeUndefined();
  });

  it('reads many cases by id in one call, leaving out ids that name no case', async () => {
    // Prepare
    const first = await createTicket('SO-SM1');
    const second = await createTicket('SO-SM2');

    // Act
    const views = await desk.getCases([first, '999999', second]);

    // Assess
    expect(views.map((view) => [view.caseId, view.orderId])).toEqual([[first, 'SO-SM1'], [second, 'SO-SM2']]);
    await expect(desk.getCases(Array.from({ length: 101 }, (_, i) => String(i + 1)))).rejects.toThrow(PermanentError);
  });

  it('reads a case that shows no order status yet', async () => {
    // Prepare
    const caseId = await createTicket('SO-79');

    // Act
    const shown = await desk.getCase(caseId);

    // Assess
    expect(shown).toMatchObject({ caseId, orderStatus: undefined, orderVersion: undefined });
  });

  it('sets the order status on a case and answers what the returned case holds', async () => {
    // Prepare
    const caseId = await createTicket('SO-80');
    const { revision } = await desk.getCase(caseId);

    // Act
    const answer = await desk.setOrderStatus(caseId, { status: 'shipped', version: 4 }, revision);

    // Assess
    const read = await desk.getCase(caseId);
    expect(read).toMatchObject({ caseId, orderStatus: 'shipped', orderVersion: 4 });
    expect(answer).toEqual(read);
  });

  it('answers a lost update with the case as the desk returned it, without the write', async () => {
    // Prepare
    const caseId = await createTicket('SO-82');
    const first = await desk.setOrderStatus(caseId, { status: 'confirmed', version: 1 }, (await desk.getCase(caseId)).revision);
    simulator.loseNextUpdates(1, 'in-answer');

    // Act
    const answer = await desk.setOrderStatus(caseId, { status: 'shipped', version: 2 }, first!.revision);

    // Assess
    expect(answer).toMatchObject({ caseId, orderStatus: 'confirmed', orderVersion: 1 });
    expect(answer!.revision).not.toBe(first!.revision);
    expect(await desk.getCase(caseId)).toMatchObject({ orderStatus: 'confirmed', orderVersion: 1 });
  });

  it('answers an update lost after the answer with the write, which only a later read shows missing', async () => {
    // Prepare
    const caseId = await createTicket('SO-83');
    simulator.loseNextUpdates(1, 'after-answer');

    // Act
    const answer = await desk.setOrderStatus(caseId, { status: 'shipped', version: 2 }, (await desk.getCase(caseId)).revision);

    // Assess
    expect(answer).toMatchObject({ caseId, orderStatus: 'shipped', orderVersion: 2 });
    expect(await desk.getCase(caseId)).toMatchObject({ orderStatus: undefined, orderVersion: undefined });
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

describe('Zendesk case milestones against the simulator', () => {
  let simulator: ServiceDeskSimulator;
  let milestones: ReturnType<typeof makeZendeskCaseMilestones>;

  const createTicket = async () => {
    const response = await fetch(`${simulator.url}/api/v2/tickets.json`, { method: 'POST', body: JSON.stringify({ ticket: { subject: 'Broken mug' } }) });
    return String(((await response.json()) as { ticket: { id: number } }).ticket.id);
  };
  /** The case as the simulator's own read shows it: status and comments in order. */
  const caseAsShown = async (caseId: string) =>
    (await (await fetch(`${simulator.url}/_sim/tickets/${caseId}/comments`)).json()) as { status: string; comments: Array<{ public: boolean; body: string }> };

  beforeAll(async () => {
    simulator = await startServiceDeskSimulator();
    milestones = makeZendeskCaseMilestones({ baseUrl: simulator.url, fieldIds: DEFAULT_FIELD_IDS });
  });
  afterAll(() => simulator.close());

  it('posts a milestone as an internal note carrying the reference of its key', async () => {
    // Prepare
    const caseId = await createTicket();

    // Act
    await milestones.post(caseId, 'rr-1:received:2026-11-27T10:00:00.000Z', 'Request received.', { solve: false });

    // Assess
    expect(await caseAsShown(caseId)).toEqual({
      ticketId: Number(caseId),
      status: 'open',
      comments: [{ at: expect.any(String), public: false, body: `Request received.\n\nref: ${milestoneReference('rr-1:received:2026-11-27T10:00:00.000Z')}` }],
    });
  });

  it('adds nothing when the same milestone is posted again (a redelivered step)', async () => {
    // Prepare
    const caseId = await createTicket();
    await milestones.post(caseId, 'rr-2:received:2026-11-27T10:00:00.000Z', 'Request received.', { solve: false });

    // Act
    await milestones.post(caseId, 'rr-2:received:2026-11-27T10:00:00.000Z', 'Request received.', { solve: false });

    // Assess
    expect((await caseAsShown(caseId)).comments).toHaveLength(1);
  });

  it('shows different milestones of a case in the order they were posted', async () => {
    // Prepare
    const caseId = await createTicket();

    // Act
    await milestones.post(caseId, 'rr-3:received:2026-11-27T10:00:00.000Z', 'Request received.', { solve: false });
    await milestones.post(caseId, 'rr-3:eligibility-confirmed:2026-11-27T10:00:01.000Z', 'Eligible.', { solve: false });

    // Assess
    expect((await caseAsShown(caseId)).comments.map((comment) => comment.body.split('\n')[0])).toEqual(['Request received.', 'Eligible.']);
  });

  it('solves the case with the milestone that resolves it', async () => {
    // Prepare
    const caseId = await createTicket();

    // Act
    await milestones.post(caseId, 'rr-4:resolved:2026-11-27T10:00:00.000Z', 'Resolved.', { solve: true });

    // Assess
    expect((await caseAsShown(caseId)).status).toBe('solved');
  });

  it('does not solve again a case an agent reopened when the resolving milestone comes again', async () => {
    // Prepare
    const caseId = await createTicket();
    await milestones.post(caseId, 'rr-5:resolved:2026-11-27T10:00:00.000Z', 'Resolved.', { solve: true });
    simulator.tickets.get(Number(caseId))!.status = 'open';

    // Act
    await milestones.post(caseId, 'rr-5:resolved:2026-11-27T10:00:00.000Z', 'Resolved.', { solve: true });

    // Assess
    expect(await caseAsShown(caseId)).toMatchObject({ status: 'open', comments: [{ body: expect.stringMatching(/^Resolved\./) }] });
  });

  it('finds the reference on a later page of a long conversation', async () => {
    // Prepare
    const caseId = await createTicket();
    await milestones.post(caseId, 'rr-6:received:2026-11-27T10:00:00.000Z', 'Request received.', { solve: false });
    const conversation = simulator.comments.get(Number(caseId))!;
    const note = conversation.pop()!;
    for (let i = 0; i < 150; i++) conversation.push({ ...note, id: 100_000 + i, body: `Customer message ${i}`, plain_body: `Customer message ${i}`, public: true });
    conversation.push(note);

    // Act
    await milestones.post(caseId, 'rr-6:received:2026-11-27T10:00:00.000Z', 'Request received.', { solve: false });

    // Assess
    expect(simulator.comments.get(Number(caseId))).toHaveLength(151);
  });
});

describe('Opening the case of an order against the simulator', () => {
  let simulator: ServiceDeskSimulator;
  let desk: ReturnType<typeof makeZendeskServiceDesk>;

  beforeAll(async () => {
    simulator = await startServiceDeskSimulator();
    desk = makeZendeskServiceDesk({ baseUrl: simulator.url, fieldIds: DEFAULT_FIELD_IDS });
  });
  afterAll(() => simulator.close());

  it('creates a case carrying the order, with the note as an internal comment, when the order has none', async () => {
    // Act
    const opened = await desk.openCaseForOrder('SO-200', 'Order SO-200 needs a person', 'The ERP refused the order.');

    // Assess
    expect(opened).toEqual({ caseId: expect.any(String), created: true });
    expect(await desk.findCasesForOrder('SO-200')).toEqual([opened.caseId]);
    expect(simulator.comments.get(Number(opened.caseId))).toEqual([expect.objectContaining({ body: 'The ERP refused the order.', public: false })]);
  });

  it('gives the existing case when called again for the same order', async () => {
    // Prepare
    const first = await desk.openCaseForOrder('SO-201', 'Order SO-201 needs a person', 'The ERP refused the order.');

    // Act
    const second = await desk.openCaseForOrder('SO-201', 'Order SO-201 needs a person', 'The ERP refused it again.');

    // Assess
    expect(second).toEqual({ caseId: first.caseId, created: false });
    expect(await desk.findCasesForOrder('SO-201')).toHaveLength(1);
  });

  it('creates no second case when a retry comes before search shows the first (idempotency key)', async () => {
    // Prepare
    const first = await desk.openCaseForOrder('SO-202', 'Order SO-202 needs a person', 'The ERP refused the order.');
    simulator.lagNextSearches(1);

    // Act
    const retried = await desk.openCaseForOrder('SO-202', 'Order SO-202 needs a person', 'The ERP refused the order.');

    // Assess
    expect(retried).toEqual({ caseId: first.caseId, created: false });
    expect(await desk.findCasesForOrder('SO-202')).toHaveLength(1);
  });

  it('opens a new case when the only case of the order is closed', async () => {
    // Prepare
    const old = await desk.openCaseForOrder('SO-203', 'Order SO-203 needs a person', 'First exception.');
    simulator.tickets.get(Number(old.caseId))!.status = 'closed';

    // Act
    const opened = await desk.openCaseForOrder('SO-203', 'Order SO-203 needs a person', 'Second exception.');

    // Assess
    expect(opened.created).toBe(true);
    expect(opened.caseId).not.toBe(old.caseId);
  });
});

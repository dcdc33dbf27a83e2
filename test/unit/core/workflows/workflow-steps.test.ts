import { PermanentError, TransientError } from '../../../../functions/core/errors';
import type { CanonicalEvent } from '../../../../functions/core/canonical/events';
import { parsePolicies, type OrderForResolution } from '../../../../functions/core/workflows/resolution-policy';
import { makeWorkflowSteps, WorkflowStepMessage } from '../../../../functions/core/workflows/workflow-steps';
import defaultPolicy from '../../../../config/policies/default.json';

const NOW = new Date('2026-11-28T12:00:00Z');
const order: OrderForResolution = {
  orderId: 'SO-1001',
  status: 'delivered',
  region: 'ZZ',
  brand: 'house',
  currency: 'EUR',
  deliveredAt: '2026-11-25T12:00:00Z',
  lines: [{ lineId: '10000', sku: 'MUG-BLUE', quantity: 2, shippedQuantity: 2, resolvedQuantity: 0, unitPrice: '12.50' }],
};
const request = {
  orderId: 'SO-1001',
  lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' as const }],
  preferred: 'replacement' as const,
  requestedBy: 'agent:7',
  caseId: '4711',
  correlationId: 'corr-1',
  requestedAt: '2026-11-28T11:00:00Z',
};
const workflow = { workflowId: 'rr-4711-SO-1001-0123456789abcdef0123', request };

/** Fakes that record what the worker did. */
const world = (stock: Record<string, number> = { 'MUG-BLUE': 5 }, options: { erpOrder?: OrderForResolution; receivedEarly?: string } = { erpOrder: order }) => {
  const { erpOrder } = options;
  const calls = {
    succeeded: [] as Array<{ token: string; output: unknown }>,
    failed: [] as Array<{ token: string; error: string; cause: string }>,
    notes: [] as Array<{ caseId: string; key: string; note: string; solve: boolean }>,
    published: [] as CanonicalEvent[],
    returnWaits: [] as string[],
    parked: [] as string[],
    audit: [] as string[],
  };
  const erp = { orderForResolution: jest.fn(async () => erpOrder), availableStock: jest.fn(async (sku: string) => stock[sku] ?? 0) };
  const steps = makeWorkflowSteps({
    callbacks: {
      succeed: async (token, output) => void calls.succeeded.push({ token, output }),
      fail: async (token, error, cause) => void calls.failed.push({ token, error, cause }),
    },
    erp,
    milestones: { post: async (caseId, key, note, { solve }) => void calls.notes.push({ caseId, key, note, solve }) },
    publisher: { publish: async (events) => void calls.published.push(...events) },
    waits: {
      awaitReturn: async (reference, token) => void calls.returnWaits.push(`${reference}:${token}`),
      receipt: async (reference) => (options.receivedEarly === reference ? { receivedAt: '2026-11-28T11:30:00Z' } : undefined),
      clearReturnWait: async (reference) => void calls.returnWaits.push(`${reference}:cleared`),
      park: async (workflowId, token, exception) => void calls.parked.push(`${workflowId}:${token}:${exception.step}`),
    },
    store: { recordTransition: async (transition, enteredAt) => (calls.audit.push(`${transition.milestone}@${enteredAt}`), 'recorded' as const) },
    policies: parsePolicies([{ file: 'default.json', content: defaultPolicy }]),
    clock: { now: () => NOW },
  });
  return { steps, calls, erp };
};
const message = (body: Record<string, unknown>) => WorkflowStepMessage.parse({ taskToken: 'token-1', ...body });

describe('workflow steps', () => {
  it('posts a milestone on the case, publishes its event and answers the token', async () => {
    // Prepare
    const { steps, calls } = world();
    // Act
    await steps(message({ step: 'record-milestone', milestone: 'received', enteredAt: '2026-11-28T11:00:01Z', workflow }));
    // Assess
    expect(calls.notes).toEqual([{ caseId: '4711', key: `${workflow.workflowId}:received:2026-11-28T11:00:01Z`, note: expect.stringContaining('received from agent:7'), solve: false }]);
    expect(calls.published).toMatchObject([{ detailType: 'workflow.started', source: 'retail-sync.workflows', detail: { correlationId: 'corr-1', data: { milestone: 'received', state: 'running' } } }]);
    expect(calls.audit).toEqual(['received@2026-11-28T11:00:01Z']);
    expect(calls.succeeded).toEqual([{ token: 'token-1', output: {} }]);
  });

  it('records a redelivered milestone under the same key and event id', async () => {
    // Prepare
    const { steps, calls } = world();
    const milestone = message({ step: 'record-milestone', milestone: 'resolved', enteredAt: '2026-11-28T11:05:00Z', workflow });
    // Act
    await steps(milestone);
    await steps({ ...milestone, taskToken: 'token-2' });
    // Assess
    expect(new Set(calls.notes.map((note) => note.key)).size).toBe(1);
    expect(new Set(calls.published.map((event) => event.detail.eventId)).size).toBe(1);
    expect(calls.notes[0]!.solve).toBe(true);
  });

  it('decides eligibility from the ERP order under the policy', async () => {
    // Prepare
    const { steps, calls } = world();
    // Act
    await steps(message({ step: 'check-eligibility', workflowId: workflow.workflowId, request }));
    // Assess
    expect(calls.succeeded).toEqual([{ token: 'token-1', output: expect.objectContaining({ eligible: true, resolution: 'replacement', policy: 'default' }) }]);
  });

  it('rejects a request for an order the ERP does not have', async () => {
    // Prepare
    const { steps, calls } = world({}, {});
    // Act
    await steps(message({ step: 'check-eligibility', workflowId: workflow.workflowId, request }));
    // Assess
    expect(calls.succeeded[0]!.output).toEqual({ eligible: false, reasons: [{ code: 'order-not-found', detail: 'The ERP has no order SO-1001.' }], policy: '(none)' });
  });

  it.each([
    ['enough stock for every SKU', { 'MUG-BLUE': 3 }, [{ lineId: '1', sku: 'MUG-BLUE', quantity: 1 }, { lineId: '2', sku: 'MUG-BLUE', quantity: 2 }], true],
    ['too little stock for the lines of one SKU together', { 'MUG-BLUE': 2 }, [{ lineId: '1', sku: 'MUG-BLUE', quantity: 1 }, { lineId: '2', sku: 'MUG-BLUE', quantity: 2 }], false],
    ['a line with no SKU to ship', { 'MUG-BLUE': 9 }, [{ lineId: '1', quantity: 1 }], false],
  ])('answers in stock or not for %s', async (_, stock, lines, inStock) => {
    // Prepare
    const { steps, calls } = world(stock);
    // Act
    await steps(message({ step: 'check-inventory', workflowId: workflow.workflowId, request, lines }));
    // Assess
    expect(calls.succeeded).toEqual([{ token: 'token-1', output: expect.objectContaining({ inStock }) }]);
  });

  it('keeps the token of a return it waits for without answering it', async () => {
    // Prepare
    const { steps, calls } = world();
    // Act
    await steps(message({ step: 'await-return', workflowId: workflow.workflowId, request, returnAuthorization: { erpReference: 'RMA-7' } }));
    // Assess
    expect(calls.returnWaits).toEqual(['RMA-7:token-1']);
    expect(calls.succeeded).toEqual([]);
  });

  it('tells the case a step needs a person and parks the token', async () => {
    // Prepare
    const { steps, calls } = world();
    // Act
    await steps(message({ step: 'park', enteredAt: '2026-11-28T11:10:00Z', workflow: { ...workflow, exception: { step: 'Issue refund', error: 'Erp.Permanent', cause: null } } }));
    // Assess
    expect(calls.notes[0]!.note).toMatch(/^Needs a person: "Issue refund" failed/);
    expect(calls.published[0]!.detailType).toBe('workflow.exception');
    expect(calls.parked).toEqual([`${workflow.workflowId}:token-1:Issue refund`]);
    expect(calls.succeeded).toEqual([]);
  });

  it('fails the token when the ERP refuses for good, so the workflow parks', async () => {
    // Prepare
    const { steps, calls, erp } = world();
    erp.orderForResolution.mockRejectedValueOnce(new PermanentError('403 from the ERP'));
    // Act
    await steps(message({ step: 'check-eligibility', workflowId: workflow.workflowId, request }));
    // Assess
    expect(calls.failed).toEqual([{ token: 'token-1', error: 'Workflow.Permanent', cause: '403 from the ERP' }]);
  });

  it('throws a passing failure so the queue retries the step', async () => {
    // Prepare
    const { steps, calls, erp } = world();
    erp.availableStock.mockRejectedValueOnce(new TransientError('503 from the ERP'));
    // Act
    const step = steps(message({ step: 'check-inventory', workflowId: workflow.workflowId, request, lines: [{ lineId: '1', sku: 'MUG-BLUE', quantity: 1 }] }));
    // Assess
    await expect(step).rejects.toThrow('503 from the ERP');
    expect(calls.failed).toEqual([]);
  });

  it.each([
    ['refund-issued', 'RefundTurnaround'],
    ['replacement-created', 'ReplacementCycleTime'],
    ['resolved', 'CaseClosureLatency'],
  ] as const)('reports %s as the KPI %s, in seconds since the request', async (milestone, kpi) => {
    // Prepare
    const observed: Array<[string, number]> = [];
    const observing = makeWorkflowSteps({
      callbacks: { succeed: async () => undefined, fail: async () => undefined },
      erp: { orderForResolution: async () => order, availableStock: async () => 5 },
      milestones: { post: async () => undefined },
      publisher: { publish: async () => undefined },
      waits: { awaitReturn: async () => undefined, receipt: async () => undefined, clearReturnWait: async () => undefined, park: async () => undefined },
      store: { recordTransition: async () => 'recorded' },
      policies: parsePolicies([{ file: 'default.json', content: defaultPolicy }]),
      clock: { now: () => NOW },
      observe: (name, seconds) => void observed.push([name, seconds]),
    });
    // Act
    await observing(message({ step: 'record-milestone', milestone, enteredAt: '2026-11-28T11:59:00Z', workflow }));
    await observing(message({ step: 'record-milestone', milestone: 'return-authorized', enteredAt: '2026-11-28T11:59:00Z', workflow }));
    // Assess: an hour after the request; no KPI for other milestones.
    expect(observed).toEqual([[kpi, 3600]]);
  });

  it('sets the SLA due time when eligibility is confirmed: the request time plus the policy\'s hours for the resolution', async () => {
    // Prepare
    const { steps, calls } = world();
    await steps(message({ step: 'check-eligibility', workflowId: workflow.workflowId, request }));
    const eligibility = calls.succeeded[0]!.output;
    // Act
    await steps(message({ step: 'record-milestone', milestone: 'eligibility-confirmed', enteredAt: '2026-11-28T11:00:01Z', workflow: { ...workflow, eligibility } }));
    // Assess: the default policy gives a replacement 72 hours; the workflow records the order's region and brand.
    expect(calls.published.at(-1)!.detail.data).toMatchObject({ milestone: 'eligibility-confirmed', slaDueAt: '2026-12-01T11:00:00.000Z', region: 'ZZ', brand: 'house' });
  });

  it('refuses a message for a step it does not know', () => {
    // Act
    const parsed = WorkflowStepMessage.safeParse({ step: 'launch-rocket', taskToken: 't' });
    // Assess
    expect(parsed.success).toBe(false);
  });
});

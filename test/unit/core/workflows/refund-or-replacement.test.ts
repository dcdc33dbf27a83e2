import fc from 'fast-check';
import { Milestone, WorkflowTransition } from '../../../../functions/core/canonical/workflow';
import { CanonicalEvents } from '../../../../functions/core/canonical/events';
import {
  recordMilestone,
  RefundOrReplacementState,
  ResolutionRequestBody,
  workflowIdFor,
  type RefundOrReplacementState as State,
} from '../../../../functions/core/workflows/refund-or-replacement';

const body = { orderId: 'SO-1001', lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' as const }, { sku: 'PLATE-WHITE', quantity: 1, reason: 'changed-mind' as const }], preferred: 'replacement' as const, requestedBy: 'agent:7' };

describe('ResolutionRequestBody', () => {
  it('accepts lines named by id or by SKU', () => {
    // Act
    const parsed = ResolutionRequestBody.safeParse(body);
    // Assess
    expect(parsed.success).toBe(true);
  });

  it.each([
    ['a line named both ways', { lines: [{ lineId: '1', sku: 'A', quantity: 1, reason: 'damaged' }] }, 'lines.0'],
    ['a line named neither way', { lines: [{ quantity: 1, reason: 'damaged' }] }, 'lines.0'],
    ['no lines', { lines: [] }, 'lines'],
    ['a zero quantity', { lines: [{ lineId: '1', quantity: 0, reason: 'damaged' }] }, 'lines.0.quantity'],
    ['an unknown reason', { lines: [{ lineId: '1', quantity: 1, reason: 'bored' }] }, 'lines.0.reason'],
    ['an unknown preference', { preferred: 'exchange' }, 'preferred'],
    ['an unknown field', { priority: 'high' }, ''],
  ])('refuses %s', (_, change, path) => {
    // Act
    const parsed = ResolutionRequestBody.safeParse({ ...body, ...change });
    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});

describe('workflowIdFor', () => {
  it('gives the same request the same workflow, whatever the order of its lines', () => {
    // Act
    const first = workflowIdFor('4711', body);
    const again = workflowIdFor('4711', { ...body, lines: [...body.lines].reverse() });
    // Assess
    expect(again).toBe(first);
    expect(first).toMatch(/^rr-4711-SO-1001-[0-9a-f]{20}$/);
  });

  it('gives another case, order or line another workflow', () => {
    // Act
    const ids = [
      workflowIdFor('4711', body),
      workflowIdFor('4712', body),
      workflowIdFor('4711', { ...body, orderId: 'SO-1002' }),
      workflowIdFor('4711', { ...body, lines: [{ ...body.lines[0]!, quantity: 2 }, body.lines[1]!] }),
    ];
    // Assess
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is always a valid Step Functions execution name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.string({ minLength: 1, maxLength: 128 }), (caseId, orderId) => {
        // Act
        const id = workflowIdFor(caseId, { orderId, lines: body.lines });
        // Assess
        expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
      }),
    );
  });
});

describe('recordMilestone', () => {
  const state = (extra: Partial<State> = {}): State =>
    RefundOrReplacementState.parse({
      workflowId: 'rr-4711-SO-1001-0123456789abcdef0123',
      request: { ...body, preferred: 'refund', caseId: '4711', correlationId: 'corr-1', requestedAt: '2026-11-28T11:00:00Z' },
      eligibility: {
        eligible: true,
        lines: [{ lineId: '10000', quantity: 1, reason: 'damaged', unitPrice: '12.50' }],
        resolution: 'refund',
        refundMethod: 'credit-memo',
        refundOn: 'authorization',
        returnRequired: false,
        shippingPaidBy: 'retailer',
        refundAmount: { amount: '12.50', currency: 'EUR' },
        returnArrivalSeconds: 86_400,
        slaSeconds: 3600,
        policy: 'eu',
      },
      ...extra,
    });
  const at = '2026-11-28T12:00:00.000Z';

  it.each(Milestone.options)('records "%s" as a valid transition on the bus', (milestone) => {
    // Act
    const record = recordMilestone(milestone, state({ exception: { step: 'Issue refund', error: 'Erp.Permanent', cause: undefined } }), at);
    // Assess
    expect(WorkflowTransition.safeParse(record.transition).success).toBe(true);
    expect(Object.keys(CanonicalEvents)).toContain(record.detailType);
    expect(record.transition).toMatchObject({ milestone, workflowId: 'rr-4711-SO-1001-0123456789abcdef0123', caseId: '4711', occurredAt: at });
    expect(record.caseComment.length).toBeGreaterThan(0);
  });

  it.each([
    ['received', 'workflow.started', 'running'],
    ['eligibility-confirmed', 'workflow.step.completed', 'running'],
    ['awaiting-return', 'workflow.step.completed', 'waiting-for-return'],
    ['exception', 'workflow.exception', 'exception'],
    ['resolved', 'workflow.completed', 'resolved'],
    ['rejected', 'workflow.completed', 'rejected'],
    ['abandoned', 'workflow.completed', 'abandoned'],
  ] as const)('publishes "%s" as %s and leaves the workflow %s', (milestone, detailType, workflowState) => {
    // Act
    const record = recordMilestone(milestone, state(), at);
    // Assess
    expect(record.detailType).toBe(detailType);
    expect(record.transition.state).toBe(workflowState);
  });

  it.each([
    ['agent:7', 'agent'],
    ['system:shipment-exception', 'system'],
  ] as const)('records a request from %s as asked by the %s', (requestedBy, actor) => {
    // Act
    const record = recordMilestone('received', { ...state(), request: { ...state().request, requestedBy } }, at);
    // Assess
    expect(record.transition.actor).toBe(actor);
  });

  it('solves the case only when the workflow is resolved', () => {
    // Act
    const solving = Milestone.options.filter((milestone) => recordMilestone(milestone, state(), at).resolvesCase);
    // Assess
    expect(solving).toEqual(['resolved']);
  });

  it('names the ERP document and the amount a credit memo was issued for', () => {
    // Act
    const record = recordMilestone('refund-issued', state({ refund: { erpReference: 'CM-1002' } }), at);
    // Assess
    expect(record.caseComment).toBe('Credit memo CM-1002 of 12.50 EUR issued in the ERP.');
    expect(record.transition).toMatchObject({ erpDocument: { type: 'credit-memo', reference: 'CM-1002' }, amount: { amount: '12.50', currency: 'EUR' }, actor: 'erp' });
  });

  it('tells the case every reason a request was rejected', () => {
    // Prepare
    const reasons = [
      { code: 'outside-return-window', detail: 'line 10000: "damaged" is accepted for 30 days after delivery (2026-10-01T00:00:00Z).' },
      { code: 'line-not-found', detail: 'Order SO-1001 has no line 99.' },
    ];
    // Act
    const record = recordMilestone('rejected', state({ eligibility: { eligible: false, reasons, policy: 'eu' } as State['eligibility'] }), at);
    // Assess
    expect(record.caseComment).toBe(`Not eligible: ${reasons[0]!.detail} ${reasons[1]!.detail}`);
    expect(record.transition.rejection).toEqual(reasons);
  });

  it('says which step needs a person', () => {
    // Act
    const record = recordMilestone('exception', state({ exception: { step: 'Create return authorization', error: 'Erp.Permanent', cause: '400 Bad Request' } }), at);
    // Assess
    expect(record.caseComment).toBe('Needs a person: "Create return authorization" failed (Erp.Permanent). Nothing is retried until someone decides.');
    expect(record.transition.exception).toEqual({ step: 'Create return authorization', error: 'Erp.Permanent', cause: '400 Bad Request' });
  });
});

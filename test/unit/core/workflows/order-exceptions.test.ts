import { loadResolutionPolicies } from '../../../../lib/resolution-policies';
import type { RefundOrReplacementInput } from '../../../../functions/core/workflows/refund-or-replacement';
import { makeOrderExceptions, type ShipmentExceptionDetail } from '../../../../functions/core/workflows/order-exceptions';
import type { OrderForResolution } from '../../../../functions/core/workflows/resolution-policy';

// The policies a stage deploys, loaded and validated as synthesis does.
const policies = loadResolutionPolicies();

const order: OrderForResolution = {
  orderId: 'SO-1',
  status: 'shipped',
  region: 'DE',
  lines: [
    { lineId: '10000', sku: 'MUG-BLUE', quantity: 2, shippedQuantity: 2, resolvedQuantity: 0 },
    { lineId: '20000', sku: 'PLATE-WHITE', quantity: 1, shippedQuantity: 0, resolvedQuantity: 0 },
  ],
};

const exception = (lines: Array<{ sku?: string; quantity: number }>): ShipmentExceptionDetail =>
  ({
    eventId: 'evt-1',
    correlationId: 'corr-1',
    schemaVersion: 1,
    origin: { system: '3pl', deliveryId: 'd-1', type: 'shipment.exception' },
    receivedAt: '2026-11-27T10:00:00Z',
    data: { source: { system: '3pl', id: 'SH-1' }, occurredAt: '2026-11-27T09:59:00Z', correlationIds: [], shipmentId: 'SH-1', orderId: 'SO-1', status: 'exception', carrier: 'DHL', exception: 'parcel lost', lines },
  }) as ShipmentExceptionDetail;

/** The ports, recording what was asked of them. */
const world = (erpOrder: OrderForResolution | undefined, policyList = policies) => {
  const notes: Array<{ caseId: string; key: string; note: string }> = [];
  const started: RefundOrReplacementInput[] = [];
  const handle = makeOrderExceptions({
    erp: { orderForResolution: async () => erpOrder, availableStock: async () => 0 },
    cases: { openCaseForOrder: async () => ({ caseId: '77', created: true }) },
    milestones: { post: async (caseId, key, note) => void notes.push({ caseId, key, note }) },
    starter: { startRefundOrReplacement: async (input) => (started.push(input), 'started') },
    policies: policyList,
  });
  return { handle, notes, started };
};

describe('order exceptions', () => {
  it("tells the order's case what happened with the ERP's status, keyed by the event", async () => {
    // Prepare
    const { handle, notes } = world(order);
    // Act
    await handle(exception([{ sku: 'MUG-BLUE', quantity: 1 }]));
    // Assess
    expect(notes).toEqual([{ caseId: '77', key: 'shipment-exception:evt-1', note: 'Delivery exception on shipment SH-1 (DHL): parcel lost. The ERP shows order SO-1 as shipped.' }]);
  });

  it("starts the policy's resolution for the shipment's lines, as the system, deterministically", async () => {
    // Prepare
    const { handle, started } = world(order);
    // Act
    const [first, second] = [await handle(exception([{ sku: 'MUG-BLUE', quantity: 1 }])), await handle(exception([{ sku: 'MUG-BLUE', quantity: 1 }]))];
    // Assess
    expect(started[0]!.request).toMatchObject({ caseId: '77', orderId: 'SO-1', preferred: 'replacement', requestedBy: 'system:shipment-exception', lines: [{ sku: 'MUG-BLUE', quantity: 1, reason: 'lost-in-transit' }] });
    expect(first.resolution).toEqual(second.resolution);
  });

  it('takes every shipped line of the order when the warehouse names none', async () => {
    // Prepare
    const { handle, started } = world(order);
    // Act
    await handle(exception([]));
    // Assess
    expect(started[0]!.request.lines).toEqual([{ lineId: '10000', quantity: 2, reason: 'lost-in-transit' }]);
  });

  it('starts nothing when the policy says none, or the ERP has no such order, and says why', async () => {
    // Prepare
    const none = policies.map((policy) => ({ ...policy, onShipmentException: 'none' as const }));
    // Act
    const byPolicy = await world(order, none).handle(exception([{ sku: 'MUG-BLUE', quantity: 1 }]));
    const unknownOrder = world(undefined);
    const byErp = await unknownOrder.handle(exception([{ sku: 'MUG-BLUE', quantity: 1 }]));
    // Assess
    expect(byPolicy.resolution).toEqual({ none: 'policy eu starts nothing on a delivery exception' });
    expect(byErp.resolution).toEqual({ none: 'the ERP has no order SO-1' });
    expect(unknownOrder.notes[0]!.note).toMatch(/The ERP has no order SO-1\.$/);
  });
});

import { erpConnector } from '../../../../functions/core/connectors/erp';
import { deriveEventId } from '../../../../functions/core/connectors/events';
import { ValidationError } from '../../../../functions/core/errors';

const receivedAt = new Date('2026-11-27T10:00:00.000Z');
const at = '2026-11-27T09:59:00Z';
const verified = (body: unknown) => ({ deliveryId: 'msg_1', body });
const statusChanged = (data: Record<string, unknown>) => ({
  type: 'order.status.changed',
  timestamp: '2026-11-27T09:59:59Z',
  data: { orderId: 'SO-1', status: 'shipped', version: 3, occurredAt: '2026-11-27T09:59:58Z', ...data },
});
const delivery = (type: string, data: Record<string, unknown>) => ({ deliveryId: `msg_${type}`, body: { type, timestamp: at, data } });

describe('ERP connector', () => {
  it('maps order.status.changed to one canonical event with metadata', () => {
    // Prepare
    const body = statusChanged({});

    // Act
    const [event] = erpConnector.map(verified(body), receivedAt);

    // Assess
    expect(event).toEqual({
      detailType: 'order.status.changed',
      source: 'retail-sync.erp',
      detail: {
        eventId: deriveEventId('erp', 'msg_1', 0),
        correlationId: 'msg_1',
        schemaVersion: 1,
        origin: { system: 'erp', deliveryId: 'msg_1', type: 'order.status.changed' },
        receivedAt: '2026-11-27T10:00:00.000Z',
        data: { orderId: 'SO-1', status: 'shipped', version: 3, occurredAt: '2026-11-27T09:59:58Z' },
      },
    });
  });

  it.each([
    ['order.created', { orderId: 'SO-1', occurredAt: at, version: 1, customer: { id: 'C-1', email: 'ann@example.com' }, lines: [{ lineId: '1', sku: 'SKU-1', quantity: 2 }] }, { orderId: 'SO-1' }],
    ['order.cancelled', { orderId: 'SO-1', occurredAt: at, version: 3 }, { status: 'cancelled' }],
    ['invoice.posted', { invoiceId: 'INV-1', orderId: 'SO-1', occurredAt: at, amount: { amount: '10.00', currency: 'EUR' } }, { invoiceId: 'INV-1' }],
    ['creditmemo.issued', { creditMemoId: 'CM-1', orderId: 'SO-1', occurredAt: at, amount: { amount: '5.00', currency: 'EUR' } }, { creditMemoId: 'CM-1' }],
    ['return.authorized', { returnId: 'RMA-1', orderId: 'SO-1', occurredAt: at, lines: [{ sku: 'SKU-1', quantity: 1 }] }, { status: 'authorized' }],
    ['return.received', { returnId: 'RMA-1', orderId: 'SO-1', occurredAt: at }, { status: 'received' }],
    ['refund.issued', { refundId: 'RF-1', orderId: 'SO-1', occurredAt: at, amount: { amount: '5.00', currency: 'EUR' } }, { status: 'issued' }],
    ['refund.failed', { refundId: 'RF-2', orderId: 'SO-1', occurredAt: at, failureReason: 'card expired' }, { status: 'failed' }],
    ['inventory.level.changed', { sku: 'SKU-1', location: 'DC1', available: 7, occurredAt: at }, { available: 7, source: { system: 'erp', id: 'SKU-1' } }],
  ])('maps the ERP %s event', (type, data, expected) => {
    // Prepare
    const body = delivery(type, data);

    // Act
    const [event] = erpConnector.map(body, receivedAt);

    // Assess
    expect(event!.detailType).toBe(type);
    expect(event!.detail.data).toMatchObject({ ...expected, source: expect.objectContaining({ system: 'erp' }) });
  });

  it('derives the same event id for the same delivery, so redeliveries deduplicate', () => {
    // Prepare
    const first = erpConnector.map(verified(statusChanged({})), receivedAt)[0]!;

    // Act
    const again = erpConnector.map(verified(statusChanged({})), new Date())[0]!;

    // Assess
    expect(again.detail.eventId).toBe(first.detail.eventId);
  });

  it.each([
    [{ status: 'lost' }, 'data.status'],
    [{ version: 0 }, 'data.version'],
    [{ version: 1.5 }, 'data.version'],
    [{ orderId: '' }, 'data.orderId'],
    [{ occurredAt: 'yesterday' }, 'data.occurredAt'],
  ])('refuses %j and names %s', (override, path) => {
    // Prepare
    const body = statusChanged(override);

    // Act
    let error: unknown;
    try {
      erpConnector.map(verified(body), receivedAt);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
  });

  it('names the field a malformed entity gets wrong', () => {
    // Prepare
    const body = delivery('invoice.posted', { invoiceId: 'INV-1', occurredAt: at, amount: { amount: 10, currency: 'EUR' } });

    // Act
    const map = () => erpConnector.map(body, receivedAt);

    // Assess
    expect(map).toThrow(ValidationError);
    expect(map).toThrow(/data\.amount\.amount/);
  });

  it('refuses a body without the Standard Webhooks structure', () => {
    // Prepare
    const body = { orderId: 'SO-1' };

    // Act
    const map = () => erpConnector.map(verified(body), receivedAt);

    // Assess
    expect(map).toThrow(/type/);
  });

  it('keeps a type it does not map as webhook.unmapped with the whole body', () => {
    // Prepare
    const body = { type: 'payment.captured', timestamp: '2026-11-27T09:59:59Z', data: { paymentId: 'PAY-1' } };

    // Act
    const [event] = erpConnector.map(verified(body), receivedAt);

    // Assess
    expect(event!.detailType).toBe('webhook.unmapped');
    expect(event!.detail.data).toEqual({ body });
    expect(event!.detail.origin.type).toBe('payment.captured');
  });
});

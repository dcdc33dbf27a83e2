import { erpConnector } from '../../../functions/core/connectors/erp';
import { thirdPartyLogisticsConnector } from '../../../functions/core/connectors/third-party-logistics';
import { ValidationError } from '../../../functions/core/errors';

const receivedAt = new Date('2026-11-27T10:00:00Z');
const at = '2026-11-27T09:59:00Z';
const map = (connector: typeof erpConnector, type: string, data: Record<string, unknown>) =>
  connector.map({ deliveryId: `msg_${type}`, body: { type, timestamp: at, data } }, receivedAt);

describe('ERP and 3PL payloads', () => {
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
    const [event] = map(erpConnector, type, data);
    expect(event!.detailType).toBe(type);
    expect(event!.detail.data).toMatchObject({ ...expected, source: expect.objectContaining({ system: 'erp' }) });
  });

  it.each([
    ['shipment.dispatched', 'dispatched'],
    ['shipment.delivered', 'delivered'],
    ['shipment.exception', 'exception'],
  ])('maps the 3PL %s event', (type, status) => {
    const [event] = map(thirdPartyLogisticsConnector, type, { shipmentId: 'SH-1', orderId: 'SO-1', occurredAt: at, carrier: 'DHL', exception: type === 'shipment.exception' ? 'address not found' : undefined });
    expect(event).toMatchObject({ detailType: type, source: 'retail-sync.3pl', detail: { data: { status, shipmentId: 'SH-1' } } });
  });

  it('names the field a malformed entity gets wrong', () => {
    expect(() => map(erpConnector, 'invoice.posted', { invoiceId: 'INV-1', occurredAt: at, amount: { amount: 10, currency: 'EUR' } })).toThrow(ValidationError);
    expect(() => map(erpConnector, 'invoice.posted', { invoiceId: 'INV-1', occurredAt: at, amount: { amount: 10, currency: 'EUR' } })).toThrow(/data\.amount\.amount/);
  });
});

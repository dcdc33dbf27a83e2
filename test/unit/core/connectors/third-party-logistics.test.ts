import { thirdPartyLogisticsConnector } from '../../../../functions/core/connectors/third-party-logistics';

const receivedAt = new Date('2026-11-27T10:00:00Z');
const at = '2026-11-27T09:59:00Z';

describe('3PL connector', () => {
  it.each([
    ['shipment.dispatched', 'dispatched'],
    ['shipment.delivered', 'delivered'],
    ['shipment.exception', 'exception'],
  ])('maps the 3PL %s event', (type, status) => {
    // Prepare
    const data = { shipmentId: 'SH-1', orderId: 'SO-1', occurredAt: at, carrier: 'DHL', exception: type === 'shipment.exception' ? 'address not found' : undefined };

    // Act
    const [event] = thirdPartyLogisticsConnector.map({ deliveryId: `msg_${type}`, body: { type, timestamp: at, data } }, receivedAt);

    // Assess
    expect(event).toMatchObject({ detailType: type, source: 'retail-sync.3pl', detail: { data: { status, shipmentId: 'SH-1' } } });
  });

  it('maps a return arriving at the warehouse to return.received, keyed by the return authorization', () => {
    // Prepare
    const data = { returnId: 'ERP-000007', orderId: 'SO-1', occurredAt: at, lines: [{ sku: 'MUG-BLUE', quantity: 1 }] };

    // Act
    const [event] = thirdPartyLogisticsConnector.map({ deliveryId: 'msg_return', body: { type: 'return.received', timestamp: at, data } }, receivedAt);

    // Assess
    expect(event).toMatchObject({ detailType: 'return.received', source: 'retail-sync.3pl', detail: { data: { status: 'received', returnId: 'ERP-000007', orderId: 'SO-1' } } });
  });
});

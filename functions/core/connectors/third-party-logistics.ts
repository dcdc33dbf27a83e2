import { InventoryLevel, ReturnAuthorization, Shipment } from '../canonical/model';
import { entityMapping, standardWebhooksConnector } from './standard-webhooks-payload';

/** The 3PL / warehouse, over Standard Webhooks: shipments, returns arriving at the warehouse, and warehouse stock. */
export const thirdPartyLogisticsConnector = standardWebhooksConnector('3pl', {
  'shipment.dispatched': entityMapping('3pl', 'shipment.dispatched', Shipment, 'shipmentId', { status: 'dispatched' }),
  'shipment.delivered': entityMapping('3pl', 'shipment.delivered', Shipment, 'shipmentId', { status: 'delivered' }),
  'shipment.exception': entityMapping('3pl', 'shipment.exception', Shipment, 'shipmentId', { status: 'exception' }),
  // `returnId` is the ERP's return authorization number printed on the return label.
  'return.received': entityMapping('3pl', 'return.received', ReturnAuthorization, 'returnId', { status: 'received' }),
  'inventory.level.changed': entityMapping('3pl', 'inventory.level.changed', InventoryLevel, 'sku'),
});

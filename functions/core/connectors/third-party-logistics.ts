import { InventoryLevel, Shipment } from '../canonical/model';
import { entityMapping, standardWebhooksConnector } from './standard-webhooks-payload';

/** The 3PL / warehouse, over Standard Webhooks: shipments and warehouse stock. */
export const thirdPartyLogisticsConnector = standardWebhooksConnector('3pl', {
  'shipment.dispatched': entityMapping('3pl', 'shipment.dispatched', Shipment, 'shipmentId', { status: 'dispatched' }),
  'shipment.delivered': entityMapping('3pl', 'shipment.delivered', Shipment, 'shipmentId', { status: 'delivered' }),
  'shipment.exception': entityMapping('3pl', 'shipment.exception', Shipment, 'shipmentId', { status: 'exception' }),
  'inventory.level.changed': entityMapping('3pl', 'inventory.level.changed', InventoryLevel, 'sku'),
});

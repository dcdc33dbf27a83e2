import { makeConnectorRegistry, connectorIn, WEBHOOK_SOURCES } from '../../../functions/core/connectors/registry';
import { DEVELOPMENT_SECRETS } from '../../../local/dev-secrets';
import { signDelivery } from '../../../local/sign';

const now = new Date();
const samples: Record<string, [string, Record<string, unknown>]> = {
  erp: ['order.status.changed', { orderId: 'SO-1001', status: 'shipped', version: 2 }],
  '3pl': ['shipment.dispatched', { shipmentId: 'SH-1', orderId: 'SO-1001' }],
  shopify: ['orders/create', { admin_graphql_api_id: 'gid://shopify/Order/1' }],
  zendesk: ['zen:event-type:ticket.status_changed', { id: '4711' }],
  businesscentral: ['updated', { resource: 'api/v2.0/companies(c0ffee00-0000-4000-8000-00000000b0c0)/salesOrders(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)' }],
};

describe('npm run send signs every built-in scheme', () => {
  it('covers every registered source', () => {
    // Assess
    expect(Object.keys(samples).sort()).toEqual([...WEBHOOK_SOURCES].sort());
  });

  it.each(Object.entries(samples))('signs a %s delivery its connector verifies', (source, [type, data]) => {
    // Prepare
    const secret = DEVELOPMENT_SECRETS[source]!;
    const { body, headers } = signDelivery(source, type, data, secret, { id: 'delivery-1', now });
    // Act
    const verify = (secrets: string[]) => connectorIn(makeConnectorRegistry(), source).verify({ headers, rawBody: body, receivedAt: now }, secrets);
    // Assess
    // Business Central's notifications carry no delivery id, and Shopify's is not signed: their body's hash is one.
    const bodyHashIds: Record<string, RegExp> = { businesscentral: /^bc_[0-9a-f]{40}$/, shopify: /^shopify_[0-9a-f]{40}$/ };
    expect(verify([secret]).deliveryId).toEqual(bodyHashIds[source] ? expect.stringMatching(bodyHashIds[source]) : 'delivery-1');
    expect(() => verify(['whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA=='])).toThrow();
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { businessCentralConnector, clientStateFor, subscribedResourceOf } from '../../../../functions/core/connectors/business-central';
import { SignatureInvalidError, ValidationError } from '../../../../functions/core/errors';

const SECRET = 'businesscentral-client-state-key';
const receivedAt = new Date('2023-09-03T10:33:00Z');
/** The published notification shape, with the clientState the product gave its subscription. */
const notificationBody = (clientState: string, overrides: Record<string, unknown> = {}) => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/business-central/notification.json'), 'utf8')) as { value: Array<Record<string, unknown>> };
  return JSON.stringify({ value: fixture.value.map((notification) => ({ ...notification, clientState, ...overrides })) });
};
const RESOURCE = 'api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/salesOrders(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)';

describe('Business Central change notifications (businesscentral source)', () => {
  it('answers the subscription handshake by echoing the validation token as text', () => {
    // Act
    const answer = businessCentralConnector.handshake!({ validationToken: 'c0b1c3e4-token' });

    // Assess
    expect(answer).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'c0b1c3e4-token' });
  });

  it('refuses to reflect a validation token that is not a token, and leaves an ordinary delivery to verify', () => {
    // Assess
    expect(() => businessCentralConnector.handshake!({ validationToken: '<script>alert(1)</script>' })).toThrow(ValidationError);
    expect(businessCentralConnector.handshake!({})).toBeUndefined();
  });

  it("accepts a notification carrying its subscription's clientState, and maps each change to erp.resource.changed", () => {
    // Prepare
    const rawBody = notificationBody(clientStateFor(SECRET, RESOURCE));

    // Act
    const verified = businessCentralConnector.verify({ headers: {}, rawBody, receivedAt }, [SECRET]);
    const events = businessCentralConnector.map(verified, receivedAt);

    // Assess
    expect(verified.deliveryId).toMatch(/^bc_[0-9a-f]{40}$/);
    expect(events).toEqual([
      expect.objectContaining({
        detailType: 'erp.resource.changed',
        detail: expect.objectContaining({
          origin: { system: 'erp', deliveryId: verified.deliveryId, type: 'businesscentral.updated' },
          data: { subscriptionId: 'webhookSalesOrdersId', resource: RESOURCE, changeType: 'updated', lastModifiedDateTime: '2023-09-03T10:32:17.463Z' },
        }),
      }),
    ]);
  });

  it.each([
    ['no clientState', notificationBody('', { clientState: undefined })],
    ["another secret's clientState", notificationBody(clientStateFor('someone-else', RESOURCE))],
    // A clientState is per subscription: one for the customers' subscription does not prove a sales order change.
    ["another subscription's clientState", notificationBody(clientStateFor(SECRET, 'api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers'))],
  ])('refuses a notification with %s (401)', (_name, rawBody) => {
    // Act
    const verify = () => businessCentralConnector.verify({ headers: {}, rawBody, receivedAt }, [SECRET]);

    // Assess
    expect(verify).toThrow(SignatureInvalidError);
  });

  it('accepts the clientState of an older secret during a rotation', () => {
    // Prepare
    const rawBody = notificationBody(clientStateFor('old-key', RESOURCE));

    // Act
    const verified = businessCentralConnector.verify({ headers: {}, rawBody, receivedAt }, ['new-key', 'old-key']);

    // Assess
    expect(verified.deliveryId).toMatch(/^bc_/);
  });

  it('refuses a body that is not notifications (400)', () => {
    // Assess
    expect(() => businessCentralConnector.verify({ headers: {}, rawBody: '{"value":[]}', receivedAt }, [SECRET])).toThrow(ValidationError);
    expect(() => businessCentralConnector.verify({ headers: {}, rawBody: 'not json', receivedAt }, [SECRET])).toThrow(ValidationError);
  });

  it.each([
    ['/api/v2.0/companies(B18AED47-C385-49D2-B954-DBDF8AD71780)/salesOrders', 'companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/salesOrders'],
    [RESOURCE, 'companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/salesOrders'],
    ["api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/salesOrders?$filter=lastModifiedDateTime gt 2023-09-03T10:00:00Z", 'companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/salesOrders'],
  ])('names the subscription of %s', (resource, subscribed) => {
    // Assess
    expect(subscribedResourceOf(resource)).toBe(subscribed);
  });
});

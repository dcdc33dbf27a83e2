import { createHmac } from 'node:crypto';
import { makeZendeskConnector } from '../../../../functions/core/connectors/zendesk';
import { SignatureInvalidError, ValidationError } from '../../../../functions/core/errors';
import { loadFixture } from '../../../support/fixtures';

const SECRET = 'zendesk-webhook-secret';
const PREVIOUS = 'zendesk-webhook-secret-previous';
const connector = makeZendeskConnector({ orderFieldId: '8447346625001', orderTagPrefix: 'order_', toleranceSeconds: 300 });
const now = new Date('2026-11-27T10:00:00Z');
const sign = (secret: string, timestamp: string, body: string) => createHmac('sha256', secret).update(timestamp + body).digest('base64');

const deliver = (name: string, options: { secret?: string; timestamp?: string; rawBody?: (body: string) => string; signedBody?: string } = {}) => {
  const fixture = loadFixture('zendesk', name);
  const timestamp = options.timestamp ?? now.toISOString();
  const rawBody = options.rawBody ? options.rawBody(fixture.rawBody) : fixture.rawBody;
  const headers = {
    ...fixture.headers,
    'X-Zendesk-Webhook-Signature': sign(options.secret ?? SECRET, timestamp, options.signedBody ?? rawBody),
    'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
  };
  const verified = connector.verify({ headers, rawBody, receivedAt: now }, [SECRET, PREVIOUS]);
  return { verified, events: connector.map(verified, now) };
};

describe('Zendesk connector', () => {
  describe('signature (timestamp + raw body)', () => {
    it('accepts a good signature and dedups on the event id', () => {
      // Act
      const { verified } = deliver('ticket.created');

      // Assess
      expect(verified.deliveryId).toBe('cbe4028c-7239-495d-b020-f22348516046');
    });

    it('accepts the previous secret during a rotation', () => {
      // Act
      const delivery = () => deliver('ticket.created', { secret: PREVIOUS });

      // Assess
      expect(delivery).not.toThrow();
    });

    it('refuses a tampered body', () => {
      // Prepare
      const fixture = loadFixture('zendesk', 'ticket.created');

      // Act
      const delivery = () => deliver('ticket.created', { rawBody: (body) => body.replace('LOW', 'URGENT'), signedBody: fixture.rawBody });

      // Assess
      expect(delivery).toThrow(SignatureInvalidError);
    });

    it('refuses a stale timestamp', () => {
      // Prepare
      const tenMinutesAgo = new Date(now.getTime() - 10 * 60_000).toISOString();

      // Act
      const delivery = () => deliver('ticket.created', { timestamp: tenMinutesAgo });

      // Assess
      expect(delivery).toThrow(/more than 5 minutes/);
    });

    it('refuses a missing signature', () => {
      // Prepare
      const fixture = loadFixture('zendesk', 'ticket.created');

      // Act
      const verify = () => connector.verify({ headers: fixture.headers, rawBody: fixture.rawBody, receivedAt: now }, [SECRET]);

      // Assess
      expect(verify).toThrow(/Missing Zendesk webhook header/);
    });

    it("does not verify the older docs' body-then-timestamp order", () => {
      // Prepare
      const timestamp = now.toISOString();
      const fixture = loadFixture('zendesk', 'ticket.created');
      const headers = { 'X-Zendesk-Webhook-Signature': createHmac('sha256', SECRET).update(fixture.rawBody + timestamp).digest('base64'), 'X-Zendesk-Webhook-Signature-Timestamp': timestamp };

      // Act
      const verify = () => connector.verify({ headers, rawBody: fixture.rawBody, receivedAt: now }, [SECRET]);

      // Assess
      expect(verify).toThrow(SignatureInvalidError);
    });
  });

  describe('a validly signed body that is not a Zendesk event', () => {
    it.each([
      ['has no event id', (body: string) => body.replace(/"id":\s*"cbe4028c[^"]*"/, '"id": ""')],
      ['is not JSON', () => '{"id":'],
    ])('is refused as a validation error (400), not a signature error, when it %s', (_label, change) => {
      // Prepare
      const fixture = loadFixture('zendesk', 'ticket.created');
      const rawBody = change(fixture.rawBody);
      const timestamp = now.toISOString();
      const headers = { ...fixture.headers, 'X-Zendesk-Webhook-Signature': sign(SECRET, timestamp, rawBody), 'X-Zendesk-Webhook-Signature-Timestamp': timestamp };

      // Act
      const verify = () => connector.verify({ headers, rawBody, receivedAt: now }, [SECRET]);

      // Assess
      expect(rawBody).not.toBe(fixture.rawBody);
      expect(verify).toThrow(ValidationError);
    });
  });

  describe('mapping samples', () => {
    it('maps ticket.created to case.opened', () => {
      // Act
      const { events } = deliver('ticket.created');

      // Assess
      expect(events[0]).toMatchObject({
        detailType: 'case.opened',
        source: 'retail-sync.service-desk',
        detail: { data: { caseId: '5158', status: 'open', requester: { id: '8447388090494' }, tags: ['ticket-info-test-tag'], subject: 'ticketinfo_2294a6e9ece2' } },
      });
    });

    it('takes the order from a tag with the configured prefix', () => {
      // Prepare
      const tagged = (body: string) => body.replace('"ticket-info-test-tag"', '"order_SO-1001"');

      // Act
      const { events } = deliver('ticket.created', { rawBody: tagged });

      // Assess
      expect(events[0]!.detail.data).toMatchObject({ orderId: 'SO-1001' });
    });

    it('maps a status change to case.updated with both statuses', () => {
      // Act
      const { events } = deliver('ticket.status_changed');

      // Assess
      expect(events[0]).toMatchObject({ detailType: 'case.updated', detail: { data: { status: 'pending', previousStatus: 'open' } } });
    });

    it('maps a change to solved as case.resolved', () => {
      // Prepare
      const solved = (body: string) => body.replace('"current": "PENDING"', '"current": "SOLVED"');

      // Act
      const { events } = deliver('ticket.status_changed', { rawBody: solved });

      // Assess
      expect(events[0]!.detailType).toBe('case.resolved');
    });

    it('maps a comment to interaction.recorded', () => {
      // Act
      const { events } = deliver('ticket.comment_added');

      // Assess
      expect(events[0]).toMatchObject({
        detailType: 'interaction.recorded',
        detail: { data: { interactionId: '10001', caseId: '5158', public: true, authorIsAgent: false, summary: 'Thanks, the replacement arrived damaged as well.' } },
      });
    });

    it('maps a change of the configured order field to case.updated naming the order', () => {
      // Act
      const { events } = deliver('ticket.custom_field_changed');

      // Assess
      expect(events[0]).toMatchObject({
        detailType: 'case.updated',
        detail: { data: { orderId: 'ORD-1001', changedFields: { '8447346625001': 'ORD-1001' } } },
      });
    });
  });
});

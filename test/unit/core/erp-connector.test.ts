import { erpConnector } from '../../../functions/core/connectors/erp';
import { deriveEventId } from '../../../functions/core/connectors/events';
import { connectorIn, makeConnectorRegistry } from '../../../functions/core/connectors/registry';
import { UnknownSourceError, ValidationError } from '../../../functions/core/errors';

const receivedAt = new Date('2026-11-27T10:00:00.000Z');
const verified = (body: unknown) => ({ deliveryId: 'msg_1', body });
const statusChanged = (data: Record<string, unknown>) => ({
  type: 'order.status.changed',
  timestamp: '2026-11-27T09:59:59Z',
  data: { orderId: 'SO-1', status: 'shipped', version: 3, occurredAt: '2026-11-27T09:59:58Z', ...data },
});

describe('ERP connector mapping', () => {
  it('maps order.status.changed to one canonical event with metadata', () => {
    const [event] = erpConnector.map(verified(statusChanged({})), receivedAt);
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

  it('derives the same event id for the same delivery, so redeliveries deduplicate', () => {
    const first = erpConnector.map(verified(statusChanged({})), receivedAt)[0]!;
    const again = erpConnector.map(verified(statusChanged({})), new Date())[0]!;
    expect(again.detail.eventId).toBe(first.detail.eventId);
  });

  it.each([
    [{ status: 'lost' }, 'data.status'],
    [{ version: 0 }, 'data.version'],
    [{ version: 1.5 }, 'data.version'],
    [{ orderId: '' }, 'data.orderId'],
    [{ occurredAt: 'yesterday' }, 'data.occurredAt'],
  ])('refuses %j and names %s', (override, path) => {
    try {
      erpConnector.map(verified(statusChanged(override)), receivedAt);
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
    }
  });

  it('refuses a body without the Standard Webhooks structure', () => {
    expect(() => erpConnector.map(verified({ orderId: 'SO-1' }), receivedAt)).toThrow(/type/);
  });

  it('keeps a type it does not map as webhook.unmapped with the whole body', () => {
    const body = { type: 'payment.captured', timestamp: '2026-11-27T09:59:59Z', data: { paymentId: 'PAY-1' } };
    const [event] = erpConnector.map(verified(body), receivedAt);
    expect(event!.detailType).toBe('webhook.unmapped');
    expect(event!.detail.data).toEqual({ body });
    expect(event!.detail.origin.type).toBe('payment.captured');
  });
});

describe('connector registry', () => {
  const connectorFor = (source: string) => connectorIn(makeConnectorRegistry(), source);

  it('finds the ERP connector', () => {
    expect(connectorFor('erp')).toBe(erpConnector);
  });

  it('refuses an unknown source and lists the known ones', () => {
    expect(() => connectorFor('shopifyy')).toThrow(new UnknownSourceError('No webhook source named "shopifyy". Known sources: erp, 3pl, shopify, zendesk.'));
  });

  it('does not treat inherited object keys as sources', () => {
    expect(() => connectorFor('constructor')).toThrow(UnknownSourceError);
    expect(() => connectorFor('__proto__')).toThrow(UnknownSourceError);
  });
});

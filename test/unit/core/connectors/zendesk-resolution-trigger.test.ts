import { makeZendeskConnector, RESOLUTION_REQUESTED_TYPE } from '../../../../functions/core/connectors/zendesk';
import { ValidationError } from '../../../../functions/core/errors';

const connector = makeZendeskConnector();
const now = new Date('2026-11-27T10:00:00Z');
const trigger = (overrides: Record<string, unknown> = {}) => ({
  id: 'rs-4711-1',
  type: RESOLUTION_REQUESTED_TYPE,
  time: '2026-11-27T09:59:00Z',
  ticketId: '4711',
  orderId: 'SO-1001',
  preferred: 'replacement',
  lines: 'MUG-BLUE:1:damaged; PLATE-WHITE : 2 : defective',
  requestedBy: 'agent@example.com',
  ...overrides,
});
const map = (body: Record<string, unknown>) => connector.map({ deliveryId: String(body.id), body, headers: {}, rawBody: JSON.stringify(body) }, now);

describe('Zendesk trigger asking for a refund or replacement', () => {
  it('maps the ticket, order, lines and preference to case.resolution.requested', () => {
    // Act
    const [event] = map(trigger());

    // Assess
    expect(event).toMatchObject({
      detailType: 'case.resolution.requested',
      source: 'retail-sync.service-desk',
      detail: {
        data: {
          caseId: '4711',
          orderId: 'SO-1001',
          preferred: 'replacement',
          requestedBy: 'agent@example.com',
          lines: [
            { sku: 'MUG-BLUE', quantity: 1, reason: 'damaged' },
            { sku: 'PLATE-WHITE', quantity: 2, reason: 'defective' },
          ],
        },
      },
    });
  });

  it.each([
    ['an entry that is not SKU:QUANTITY:REASON', { lines: 'MUG-BLUE x1' }, 'lines.0'],
    ['a reason the product does not know', { lines: 'MUG-BLUE:1:broken' }, 'lines.0.reason'],
    ['a quantity of 0', { lines: 'MUG-BLUE:0:damaged' }, 'lines.0.quantity'],
    ['no lines', { lines: ' ' }, 'lines'],
    ['an empty order field', { orderId: '' }, 'orderId'],
    ['a preference that is neither', { preferred: 'voucher' }, 'preferred'],
    ['a ticket id that is not a number', { ticketId: 'abc' }, 'ticketId'],
  ])('refuses %s as a validation error naming the field', (_name, overrides, path) => {
    // Act
    const mapping = () => map(trigger(overrides));

    // Assess
    expect(mapping).toThrow(ValidationError);
    try {
      mapping();
    } catch (error) {
      expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
    }
  });
});

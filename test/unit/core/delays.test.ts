import {
  commandIsDelayed,
  DELAY_BOUNDS,
  describeSeconds,
  exceptionIsDelayed,
  orderIsDelayed,
  orderLag,
  pastSla,
  returnIsDelayed,
} from '../../../functions/core/delays';
import type { WorkflowSummary } from '../../../functions/core/ports/workflow-tasks';
import type { OrderSyncRecord } from '../../../functions/core/sync-state';

const now = new Date('2026-11-27T12:00:00.000Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

const order = (overrides: Partial<OrderSyncRecord> = {}): OrderSyncRecord => ({
  orderId: 'SO-1',
  erp: { status: 'shipped', version: 2, occurredAt: ago(700), updatedAt: ago(600), eventId: 'evt_1' },
  serviceDesk: { status: 'confirmed', version: 1, updatedAt: ago(3600), caseIds: ['7'], verified: true, verifiedAt: ago(3600) },
  ...overrides,
});

const workflow = (overrides: Partial<WorkflowSummary> = {}): WorkflowSummary => ({
  workflowId: 'rr-7-SO-1-abc',
  workflow: 'refund-or-replacement',
  caseId: '7',
  orderId: 'SO-1',
  state: 'running',
  milestone: 'eligibility-confirmed',
  startedAt: ago(86400),
  updatedAt: ago(3600),
  erpDocuments: [],
  ...overrides,
});

describe('delay bounds', () => {
  describe('orders', () => {
    it('dates a desk behind the ERP from when the ERP change reached the sync state', () => {
      const lag = orderLag(order(), now)!;
      expect(lag).toMatchObject({ since: ago(600), ageSeconds: 600, step: 'service-desk update' });
      expect(lag.reason).toBe('ERP v2 shipped, cases 7 show v1 confirmed');
    });

    it('dates a write the desk did not show from that write', () => {
      const lag = orderLag(order({ serviceDesk: { status: 'shipped', version: 2, updatedAt: ago(400), caseIds: ['7'], verified: false, verifiedAt: ago(3600) } }), now)!;
      expect(lag).toMatchObject({ since: ago(400), step: 'service-desk verification' });
    });

    it('finds nothing to wait for in an order in sync, one without an ERP side, or one no case is linked to', () => {
      expect(orderLag(order({ serviceDesk: { status: 'shipped', version: 2, updatedAt: ago(10), caseIds: ['7'], verified: true } }), now)).toBeUndefined();
      expect(orderLag(order({ erp: undefined }), now)).toBeUndefined();
      expect(orderLag(order({ serviceDesk: undefined }), now)).toBeUndefined();
    });

    it('is delayed only once out of sync longer than the bound', () => {
      const within = orderLag(order({ erp: { status: 'shipped', version: 2, occurredAt: ago(400), updatedAt: ago(DELAY_BOUNDS.orderSyncSeconds), eventId: 'evt_1' } }), now)!;
      const past = orderLag(order({ erp: { status: 'shipped', version: 2, occurredAt: ago(400), updatedAt: ago(DELAY_BOUNDS.orderSyncSeconds + 1), eventId: 'evt_1' } }), now)!;
      expect(orderIsDelayed(within)).toBe(false);
      expect(orderIsDelayed(past)).toBe(true);
    });
  });

  describe('workflows', () => {
    it('counts an open workflow past its slaDueAt as past its SLA, never a closed one or one without a due time', () => {
      expect(pastSla(workflow({ slaDueAt: ago(1) }), now)).toBe(true);
      expect(pastSla(workflow({ slaDueAt: ago(-60) }), now)).toBe(false);
      expect(pastSla(workflow({ slaDueAt: ago(1), state: 'resolved' }), now)).toBe(false);
      expect(pastSla(workflow({ state: 'exception', slaDueAt: ago(1) }), now)).toBe(true);
      expect(pastSla(workflow(), now)).toBe(false);
    });

    it('delays a return not received within the bound', () => {
      expect(returnIsDelayed(workflow({ state: 'waiting-for-return', updatedAt: ago(DELAY_BOUNDS.returnReceiptSeconds + 1) }), now)).toBe(true);
      expect(returnIsDelayed(workflow({ state: 'waiting-for-return', updatedAt: ago(DELAY_BOUNDS.returnReceiptSeconds - 1) }), now)).toBe(false);
      expect(returnIsDelayed(workflow({ state: 'running', updatedAt: ago(DELAY_BOUNDS.returnReceiptSeconds + 1) }), now)).toBe(false);
    });

    it('delays a parked workflow from the moment it is parked: it waits for a person', () => {
      expect(exceptionIsDelayed(now.toISOString(), now)).toBe(true);
    });
  });

  describe('ERP commands', () => {
    it('delays a command started and not done for longer than the bound', () => {
      expect(commandIsDelayed({ status: 'started', attempts: 2, lastStartedAt: ago(DELAY_BOUNDS.erpCommandSeconds + 1) }, now)).toBe(true);
      expect(commandIsDelayed({ status: 'started', attempts: 0, lastStartedAt: ago(DELAY_BOUNDS.erpCommandSeconds - 1) }, now)).toBe(false);
      expect(commandIsDelayed({ status: 'done', attempts: 0, lastStartedAt: ago(86400), erpReference: 'RMA-1' }, now)).toBe(false);
    });
  });

  it('says a bound in the unit a person reads', () => {
    expect([300, 900, 3600, 14 * 86400, 45].map(describeSeconds)).toEqual(['5 min', '15 min', '1 h', '14 d', '45 s']);
  });
});

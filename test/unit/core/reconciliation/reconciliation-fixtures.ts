import type { OrderStatusSnapshot } from '../../../../functions/core/canonical/order';
import type { ReconcileRequest } from '../../../../functions/core/reconciliation/reconcile-request';
import type { OrderSyncRecord } from '../../../../functions/core/sync-state';

export const NOW = new Date('2026-11-27T10:30:00Z');
export const order = (orderId: string, version: number, minutesAgo = 10, status: OrderStatusSnapshot['status'] = 'shipped'): OrderStatusSnapshot => ({
  orderId,
  status,
  version,
  occurredAt: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
});
/** A sync state; the desk side, when given, was verified unless `{ verified: false }`. */
export const synced = (orderId: string, erpVersion: number, deskVersion?: number, { verified = true } = {}): OrderSyncRecord => ({
  orderId,
  erp: { status: 'shipped', version: erpVersion, occurredAt: NOW.toISOString(), updatedAt: NOW.toISOString(), eventId: 'e' },
  ...(deskVersion !== undefined
    ? { serviceDesk: { status: 'shipped', version: deskVersion, updatedAt: NOW.toISOString(), caseIds: ['1'], verified, ...(verified ? { verifiedAt: NOW.toISOString() } : {}) } }
    : {}),
});
export const request = (overrides: Partial<ReconcileRequest> = {}): ReconcileRequest => ({
  runId: 'run-1',
  since: '2026-11-27T08:00:00Z',
  until: '2026-11-27T10:30:00Z',
  requestedBy: 'test',
  repair: true,
  ...overrides,
});

import type { DriftKind } from '../canonical/events';
import type { OrderStatusSnapshot } from '../canonical/order';
import type { OrderSyncRecord } from '../sync-state';

export interface CaseShown {
  caseId: string;
  status?: string;
  version?: number;
}

/** A case shows the ERP's state: the same version and, when it shows a status, the same status. */
export const showsErpState = (shown: CaseShown, erp: OrderStatusSnapshot) => shown.version === erp.version && (shown.status === undefined || shown.status === erp.status);

/** Pure rule: how one order's sync state and linked cases differ from the ERP's authoritative state. */
export const driftKinds = (erp: OrderStatusSnapshot, record: OrderSyncRecord | undefined, cases: CaseShown[]): DriftKind[] => {
  const kinds: DriftKind[] = [];
  if (record?.erp === undefined || record.erp.version < erp.version) kinds.push('sync-state-behind');
  // Behind: an older version, none, or another status at the same version (a trigger or a person changed it).
  if (cases.some((shown) => shown.version === undefined || shown.version < erp.version || (shown.version === erp.version && !showsErpState(shown, erp)))) {
    kinds.push('service-desk-behind');
  }
  if (cases.some((shown) => shown.version !== undefined && shown.version > erp.version)) kinds.push('service-desk-ahead');
  return kinds;
};

/** Re-emitting the ERP's state repairs a side that is behind; nothing automatic repairs a case that is ahead. */
export const isRepairable = (kinds: DriftKind[]) => kinds.includes('sync-state-behind') || kinds.includes('service-desk-behind');

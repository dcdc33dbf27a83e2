import type { OrderStatusSnapshot } from '../core/canonical/order';
import type { ErpPort } from '../core/erp-port';
import type { ServiceDeskPort } from '../core/ports';

/** One order whose service cases do not show what the ERP says. */
export interface OrderDrift {
  orderId: string;
  erp: OrderStatusSnapshot;
  /** What each linked case shows (version undefined: the case never got a status). */
  cases: Array<{ caseId: string; status?: string; version?: number }>;
  /** How long the desk has been behind: since the ERP change occurred. */
  ageSeconds: number;
}

export interface ReconcileDependencies {
  erp: Pick<ErpPort, 'getOrder'>;
  desk: Pick<ServiceDeskPort, 'findCasesForOrder' | 'getCase'>;
  now: () => Date;
}

/**
 * Compares one order across the ERP (authoritative, read through its adapter) and the service desk.
 * Pure decision on top of two reads; repairing (re-emitting the ERP's state) is the caller's job, so it
 * goes through the same idempotent, version-guarded path as any ERP event.
 */
export const makeOrderDriftCheck = ({ erp, desk, now }: ReconcileDependencies) =>
  async (orderId: string): Promise<OrderDrift | undefined> => {
    const authoritative = await erp.getOrder(orderId);
    if (!authoritative) return undefined;
    const caseIds = await desk.findCasesForOrder(orderId);
    const cases = await Promise.all(
      caseIds.map(async (caseId) => {
        const view = await desk.getCase(caseId);
        return { caseId, status: view.orderStatus, version: view.orderVersion };
      }),
    );
    const behind = cases.filter((view) => view.version === undefined || view.version < authoritative.version);
    if (behind.length === 0) return undefined;
    return {
      orderId,
      erp: authoritative,
      cases: behind,
      ageSeconds: Math.max(0, Math.round((now().getTime() - Date.parse(authoritative.occurredAt)) / 1000)),
    };
  };

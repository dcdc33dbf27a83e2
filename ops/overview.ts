/**
 * `ops overview`: integration health beside business KPIs, for one stage, from its stores: orders out of
 * sync, the last reconciliation runs, workflows by state, refunds and replacements past their SLA,
 * returns awaiting receipt, open exceptions, DLQ depths, the ERP breaker and budget use.
 */
import { budgetRecordOf } from '../functions/adapters/erp-coordination-store';
import { orderLag, pastSla } from '../functions/core/delays';
import { ceilingRate, currentRate, defaultRateBudgetConfig } from '../functions/core/erp/rate-budget';
import { FUNCTIONS } from '../lib/topology';
import type { OpsConnection } from './connection';
import { listDlqs } from './dlq';
import { sumOverServices } from './metrics-history';
import { countWorkflowsByState, listOpenWorkflows, listReconcileRuns, readErpGateItems, scanOrderSyncRecords } from './stage-stores';

export interface Overview {
  generatedAt: string;
  stage: string;
  sync: { outOfSync: number; oldest?: { orderId: string; since: string; ageSeconds: number } };
  reconciliation: { runs: Array<{ runId: string; startedAt: string; finishedAt?: string; status: string; checked: number; driftFound: number; repaired: number }> };
  workflows: { byState: Record<string, number> };
  sla: { refundsPastSla: number; replacementsPastSla: number; returnsAwaitingReceipt: number };
  exceptions: { open: number };
  dlqs: Array<{ name: string; depth: number; oldestAgeSeconds?: number }>;
  erp: {
    /** `openedAt`: when the outage began (kept while probes fail); `openUntil`: when the cool-down of an open breaker ends (then one call probes the ERP). */
    breaker: { state: 'closed' | 'open' | 'half-open' | 'unknown'; openedAt?: string; openUntil?: string; consecutiveFailures?: number };
    /**
     * `limitPerSecond`: the rate in force now when a 429 cut it and it has not climbed back yet
     * (`limitSource: 'adaptive'`), else the stage's `erpRequestsPerSecond` as its gate recorded it on the
     * budget item (`'stage'`), else, before any booking recorded it, the one passed in or 20 (`'assumed'`);
     * `usedLastMinute`: ERP send slots booked in the last whole minute (the `ErpBudgetBooked` metric of
     * every ERP caller); `utilisation`: used / (limit × 60).
     */
    budget: { limitPerSecond: number; usedLastMinute: number; utilisation: number; limitSource: ErpLimitSource };
  };
}

export type ErpLimitSource = 'adaptive' | 'stage' | 'assumed';

export interface OverviewOptions {
  /** The stage's `erpRequestsPerSecond`, used until its gate has recorded it (default 20, the functions' own default). */
  erpRequestsPerSecond?: number;
  /** Reconciliation runs listed, the latest first (default 10). */
  runs?: number;
}

const ERP_CALLERS = Object.values(FUNCTIONS)
  .filter((spec) => spec.needs.includes('erp:call'))
  .map((spec) => spec.serviceName);

/**
 * @example
 * const overview = await readOverview(conn);
 * overview.sync.outOfSync; // 3
 * overview.dlqs.find((dlq) => dlq.depth > 0); // { name: 'retail-sync-prod-service-desk-updater-dlq', depth: 1, oldestAgeSeconds: 840 }
 */
export async function readOverview(conn: OpsConnection, now: Date = new Date(), options: OverviewOptions = {}): Promise<Overview> {
  const lags = (await scanOrderSyncRecords(conn)).map((record) => orderLag(record, now)).filter((lag) => lag !== undefined);
  const oldest = lags.reduce<(typeof lags)[number] | undefined>((found, lag) => (!found || lag.ageSeconds > found.ageSeconds ? lag : found), undefined);

  const runs = await listReconcileRuns(conn, options.runs ?? 10);
  const byState = await countWorkflowsByState(conn);
  const open = await listOpenWorkflows(conn);
  const late = open.filter(({ summary }) => pastSla(summary, now));
  const dlqs = (await listDlqs(conn.sqs, conn.stage, { ...conn.scan, now: () => now.getTime() })).filter((dlq) => dlq.exists);

  const gate = await readErpGateItems(conn);
  const breakerState = gate.breaker?.state as { status?: string; openedAtMs?: number; openUntilMs?: number; consecutiveFailures?: number } | undefined;
  const status = breakerState?.status;
  const breaker: Overview['erp']['breaker'] = !gate.breaker
    ? { state: 'closed' }
    : {
        state: status === 'closed' || status === 'open' || status === 'half-open' ? status : 'unknown',
        ...(status !== 'closed' && breakerState?.openedAtMs ? { openedAt: new Date(breakerState.openedAtMs).toISOString() } : {}),
        ...(status !== 'closed' && breakerState?.openUntilMs ? { openUntil: new Date(breakerState.openUntilMs).toISOString() } : {}),
        ...(breakerState?.consecutiveFailures !== undefined ? { consecutiveFailures: breakerState.consecutiveFailures } : {}),
      };
  const { limitPerSecond, limitSource } = erpLimit(gate.budget, now, options.erpRequestsPerSecond);
  const minuteEnd = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const usedLastMinute = await sumOverServices(conn, 'ErpBudgetBooked', ERP_CALLERS, new Date(minuteEnd.getTime() - 60_000), minuteEnd);

  return {
    generatedAt: now.toISOString(),
    stage: conn.stage,
    sync: { outOfSync: lags.length, ...(oldest ? { oldest: { orderId: oldest.orderId, since: oldest.since, ageSeconds: oldest.ageSeconds } } : {}) },
    reconciliation: {
      runs: runs.map((run) => ({
        runId: run.runId,
        startedAt: run.startedAt ?? run.requestedAt ?? run.updatedAt,
        ...(run.status === 'done' ? { finishedAt: run.updatedAt } : {}),
        status: run.status,
        checked: Number(run.checked ?? 0),
        driftFound: Number(run.drifted ?? 0),
        repaired: Number(run.repaired ?? 0),
      })),
    },
    workflows: { byState },
    sla: {
      refundsPastSla: late.filter(({ summary }) => summary.resolution === 'refund').length,
      replacementsPastSla: late.filter(({ summary }) => summary.resolution === 'replacement').length,
      returnsAwaitingReceipt: open.filter(({ summary }) => summary.state === 'waiting-for-return').length,
    },
    exceptions: { open: open.filter(({ summary }) => summary.state === 'exception').length },
    dlqs: dlqs.map((dlq) => ({ name: dlq.name, depth: dlq.depth ?? 0, ...(dlq.oldestAgeSeconds !== undefined ? { oldestAgeSeconds: dlq.oldestAgeSeconds } : {}) })),
    erp: {
      breaker,
      budget: { limitPerSecond, usedLastMinute, utilisation: limitPerSecond > 0 ? usedLastMinute / (limitPerSecond * 60) : 0, limitSource },
    },
  };
}

/**
 * The ERP limit in force, from the budget item (`RATE#erp`): a rate a 429 cut counts only until the
 * gate's additive increase has brought it back to the schedule's ceiling, as the gate itself reckons.
 */
export const erpLimit = (budget: Record<string, unknown> | undefined, now: Date, assumed = 20): { limitPerSecond: number; limitSource: ErpLimitSource } => {
  const { rateState, configuredRate: recorded, marginMs } = budgetRecordOf(budget);
  const configured = recorded ?? assumed;
  const config = defaultRateBudgetConfig(configured, marginMs);
  const inForce = rateState ? currentRate(rateState, now.getTime(), config) : undefined;
  if (inForce !== undefined && inForce < ceilingRate(config)) return { limitPerSecond: Math.round(inForce * 100) / 100, limitSource: 'adaptive' };
  return { limitPerSecond: configured, limitSource: recorded !== undefined ? 'stage' : 'assumed' };
};

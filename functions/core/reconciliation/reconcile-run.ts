import type { DriftKind, SyncDrift } from '../canonical/events';
import type { ReconcileRequest } from './reconcile-request';

/** Where a run goes on: the ERP page, the orders of it already checked, and how long to wait first. */
export interface ContinueAt {
  cursor?: string;
  offset: number;
  afterSeconds?: number;
  /** Set when this slice made no progress, so the next one has its own key and a bound. */
  deferrals?: number;
}

/** What one invocation (a slice of a run) did. */
export interface ReconcilePageReport {
  runId: string;
  /** Identifies where this slice started, so a retried slice is not counted twice. */
  pageKey: string;
  checked: number;
  inSync: number;
  /** Changed too recently to judge: the normal path may still be delivering them. */
  inFlight: number;
  drifts: SyncDrift[];
  repaired: number;
  unreadable: Array<{ orderId: string; reason: string }>;
  /** Present when the run continues in another invocation. */
  continueAt?: ContinueAt;
}

export const emptyReport = (runId: string, pageKey: string): ReconcilePageReport => ({ runId, pageKey, checked: 0, inSync: 0, inFlight: 0, drifts: [], repaired: 0, unreadable: [] });

export const sliceKey = (request: Pick<ReconcileRequest, 'cursor' | 'offset' | 'deferrals'>) =>
  `${request.cursor ?? 'first'}@${request.offset ?? 0}${request.deferrals ? `#${request.deferrals}` : ''}`;

export interface RunProgress {
  repaired: number;
}

/** What the store keeps of one recorded slice. */
export interface SliceRecord {
  continueAt?: ContinueAt;
  /** The continuation was sent. */
  handedOn: boolean;
}

/** One drift as the run record keeps it for the ops CLI. */
export interface DriftSummary {
  orderId: string;
  kinds: DriftKind[];
  erp: string;
  cases: string;
  ageSeconds: number;
  repair: SyncDrift['repair'];
}

export const summariseDrift = (drift: SyncDrift): DriftSummary => ({
  orderId: drift.entity.id,
  kinds: drift.kinds,
  erp: `${drift.erp.status} v${drift.erp.version}`,
  cases: drift.serviceDesk.cases.map((shown) => `${shown.caseId}: ${shown.status ?? '-'} v${shown.version ?? '-'}`).join(', ') || '-',
  ageSeconds: drift.ageSeconds,
  repair: drift.repair,
});

/** The accumulated record of one run, across its invocations. */
export interface ReconcileRun {
  runId: string;
  since: string;
  until: string;
  requestedBy: string;
  /** `requested`: asked for (`ops reconcile`) and no slice recorded yet. */
  status: 'requested' | 'running' | 'done';
  requestedAt?: string;
  /** When its first slice was recorded (absent while only requested). */
  startedAt?: string;
  updatedAt: string;
  checked: number;
  inSync: number;
  inFlight: number;
  drifted: number;
  repaired: number;
  unreadable: number;
  /** The first drifts of the run (bounded), for the CLI. */
  drifts: DriftSummary[];
  unreadableOrders: Array<{ orderId: string; reason: string }>;
}

import { z } from 'zod';
import { EVENT_SOURCE_PREFIX, type CanonicalEvent, type DriftKind, type SyncDrift } from '../core/canonical/events';
import type { OrderStatusSnapshot } from '../core/canonical/order';
import { deriveEventId } from '../core/connectors/events';
import { DomainError, RateLimitedError, ValidationError, describeIssues } from '../core/errors';
import type { ErpOrderPage } from '../core/erp-port';
import type { EventPublisher, ServiceDeskPort, SyncStateStore } from '../core/ports';
import type { OrderSyncRecord } from '../core/sync-state';

const IsoInstant = z.iso.datetime({ offset: true });

/** One reconciliation run, or the continuation of one: orders the ERP changed in [since, until]. */
export const ReconcileRequest = z
  .object({
    runId: z.string().regex(/^[\w.:-]{1,128}$/, 'letters, digits, . _ : - (at most 128)'),
    since: IsoInstant,
    until: IsoInstant,
    /** Where the ERP listing continues (absent: the first page)… */
    cursor: z.string().max(4096).optional(),
    /** …and how many orders of that page are already checked. */
    offset: z.number().int().min(0).optional(),
    requestedBy: z.string().max(128).default('schedule'),
    /** False: report drift, repair nothing. */
    repair: z.boolean().default(true),
  })
  .refine((request) => Date.parse(request.since) <= Date.parse(request.until), { message: 'since must not be after until', path: ['since'] });
export type ReconcileRequest = z.infer<typeof ReconcileRequest>;

/** What EventBridge sends to the queue when the schedule fires. */
const ScheduledEvent = z.object({ 'detail-type': z.literal('Scheduled Event'), time: IsoInstant });

export interface ScheduleSettings {
  /** How far back a scheduled run looks (it overlaps the previous run on purpose). */
  lookbackSeconds: number;
}

/** Reads a reconciler queue message: the schedule's event, or a request from the ops CLI or a continuation. */
export const parseReconcileMessage = (body: string, settings: ScheduleSettings): ReconcileRequest => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError('The reconciliation request is not JSON.');
  }
  const scheduled = ScheduledEvent.safeParse(json);
  if (scheduled.success) {
    const firedAt = Date.parse(scheduled.data.time);
    return {
      runId: `scheduled-${scheduled.data.time.replace(/[^\w]/g, '')}`,
      since: new Date(firedAt - settings.lookbackSeconds * 1000).toISOString(),
      until: new Date(firedAt).toISOString(),
      requestedBy: 'schedule',
      repair: true,
    };
  }
  const request = ReconcileRequest.safeParse(json);
  if (!request.success) {
    const issues = describeIssues(request.error.issues);
    throw new ValidationError(`Invalid reconciliation request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return request.data;
};

export interface CaseShown {
  caseId: string;
  status?: string;
  version?: number;
}

/** Pure rule: how one order's sync state and linked cases differ from the ERP's authoritative state. */
export const driftKinds = (erp: OrderStatusSnapshot, record: OrderSyncRecord | undefined, cases: CaseShown[]): DriftKind[] => {
  const kinds: DriftKind[] = [];
  if (record?.erp === undefined || record.erp.version < erp.version) kinds.push('sync-state-behind');
  if (cases.some((shown) => shown.version === undefined || shown.version < erp.version)) kinds.push('service-desk-behind');
  if (cases.some((shown) => shown.version !== undefined && shown.version > erp.version)) kinds.push('service-desk-ahead');
  return kinds;
};

/** Re-emitting the ERP's state repairs a side that is behind; nothing automatic repairs a case that is ahead. */
export const isRepairable = (kinds: DriftKind[]) => kinds.includes('sync-state-behind') || kinds.includes('service-desk-behind');

/**
 * The ERP's state as an `order.status.changed` event. Its delivery id (and so its event id) depends only
 * on the order and version, so every run, retry or replay that re-emits it yields the same event, and the
 * consumers' version guards apply it at most once.
 */
export const repairEvent = (erp: OrderStatusSnapshot, runId: string, at: Date): CanonicalEvent<'order.status.changed'> => {
  const deliveryId = `reconcile:${erp.orderId}:v${erp.version}`;
  return {
    detailType: 'order.status.changed',
    source: EVENT_SOURCE_PREFIX + 'erp',
    detail: {
      eventId: deriveEventId('erp', deliveryId, 0),
      correlationId: `${runId}/${erp.orderId}`,
      schemaVersion: 1,
      origin: { system: 'erp', deliveryId, type: 'reconciliation.erp-read' },
      receivedAt: at.toISOString(),
      data: erp,
    },
  };
};

export const driftEvent = (drift: SyncDrift): CanonicalEvent<'sync.drift.detected'> => {
  const deliveryId = `${drift.runId}/${drift.entity.id}/v${drift.erp.version}`;
  return {
    detailType: 'sync.drift.detected',
    source: `${EVENT_SOURCE_PREFIX}reconciler`,
    detail: {
      eventId: deriveEventId('erp', `drift:${deliveryId}`, 0),
      correlationId: `${drift.runId}/${drift.entity.id}`,
      schemaVersion: 1,
      origin: { system: 'retail-sync', deliveryId, type: 'reconciliation' },
      receivedAt: drift.detectedAt,
      data: drift,
    },
  };
};

/** Where a run goes on: the ERP page, the orders of it already checked, and how long to wait first. */
export interface ContinueAt {
  cursor?: string;
  offset: number;
  afterSeconds?: number;
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

export const sliceKey = (request: Pick<ReconcileRequest, 'cursor' | 'offset'>) => `${request.cursor ?? 'first'}@${request.offset ?? 0}`;

export interface RunProgress {
  repaired: number;
  /** Slices (by `sliceKey`) already counted in the run, and those whose continuation was sent. */
  recorded?: string[];
  handedOn?: string[];
  finished?: boolean;
}

export interface ReconcileDependencies {
  /** The ERP listing, already behind the ERP gate (breaker and rate budget). */
  erp: { listOrdersChanged(window: { since: Date; until: Date }, cursor?: string): Promise<ErpOrderPage> };
  desk: Pick<ServiceDeskPort, 'findCasesForOrder' | 'getCase'>;
  syncState: Pick<SyncStateStore, 'getOrder'>;
  publisher: EventPublisher;
  now: () => Date;
  limits: {
    /** ERP changes younger than this are in flight, not drift. */
    graceSeconds: number;
    /** Orders one invocation checks before handing the rest to a continuation. */
    maxOrdersPerInvocation: number;
    /** Wall-clock time one invocation spends before handing the rest on (well inside the function timeout). */
    maxSliceSeconds: number;
    /** Repairs one run may emit; beyond it drift is reported as deferred. */
    maxRepairsPerRun: number;
  };
}

/** A read that cannot succeed for this order (deleted case, unknown status): reported, the run goes on. */
const isPermanent = (error: unknown) => error instanceof DomainError && !error.retryable;

/**
 * Compares the orders the ERP changed in the window with the sync state and with every linked service
 * case, each read through its adapter. Drift is reported as `sync.drift.detected` and repaired by
 * re-emitting the ERP's state, which travels the normal, version-guarded path. Bounded per invocation
 * (orders) and per run (repairs); transient failures throw so the queue retries the invocation.
 */
export const makeReconciler = ({ erp, desk, syncState, publisher, now, limits }: ReconcileDependencies) =>
  async (request: ReconcileRequest, progress: RunProgress = { repaired: 0 }): Promise<ReconcilePageReport> => {
    const window = { since: new Date(request.since), until: new Date(request.until) };
    const report: ReconcilePageReport = { runId: request.runId, pageKey: sliceKey(request), checked: 0, inSync: 0, inFlight: 0, drifts: [], repaired: 0, unreadable: [] };
    const sliceEnds = now().getTime() + limits.maxSliceSeconds * 1000;
    const sliceIsSpent = () => report.checked >= limits.maxOrdersPerInvocation || now().getTime() >= sliceEnds;

    const check = async (authoritative: OrderStatusSnapshot) => {
      const ageSeconds = Math.max(0, Math.floor((now().getTime() - Date.parse(authoritative.occurredAt)) / 1000));
      if (ageSeconds < limits.graceSeconds) {
        report.inFlight++;
        return;
      }
      let record: OrderSyncRecord | undefined;
      const cases: CaseShown[] = [];
      try {
        record = await syncState.getOrder(authoritative.orderId);
        for (const caseId of await desk.findCasesForOrder(authoritative.orderId)) {
          const view = await desk.getCase(caseId);
          cases.push({ caseId, status: view.orderStatus, version: view.orderVersion });
        }
      } catch (error) {
        if (!isPermanent(error)) throw error;
        report.unreadable.push({ orderId: authoritative.orderId, reason: (error as Error).message });
        return;
      }
      const kinds = driftKinds(authoritative, record, cases);
      if (kinds.length === 0) {
        report.inSync++;
        return;
      }
      const repairable = isRepairable(kinds);
      const withinBound = progress.repaired + report.repaired < limits.maxRepairsPerRun;
      const repair: SyncDrift['repair'] = !repairable ? 'manual' : !request.repair ? 'report-only' : withinBound ? 'reemitted' : 'deferred';
      const drift: SyncDrift = {
        runId: request.runId,
        entity: { type: 'order', id: authoritative.orderId },
        kinds,
        erp: authoritative,
        syncState: { erpVersion: record?.erp?.version, serviceDeskVersion: record?.serviceDesk?.version },
        serviceDesk: { cases: cases.filter((shown) => shown.version !== authoritative.version) },
        ageSeconds,
        detectedAt: now().toISOString(),
        repair,
      };
      const events: CanonicalEvent[] = [driftEvent(drift)];
      if (repair === 'reemitted') events.push(repairEvent(authoritative, request.runId, now()));
      await publisher.publish(events);
      if (repair === 'reemitted') report.repaired++;
      report.drifts.push(drift);
    };

    let cursor = request.cursor;
    let offset = request.offset ?? 0;
    for (;;) {
      const page = await erp.listOrdersChanged(window, cursor);
      if (offset === 0) report.unreadable.push(...page.unreadable);
      for (let index = offset; index < page.orders.length; index++) {
        // Every slice checks at least one order, so a run always moves on.
        if (report.checked > 0 && sliceIsSpent()) {
          report.continueAt = { cursor, offset: index };
          return report;
        }
        try {
          await check(page.orders[index]!);
        } catch (error) {
          // Slowed down by the service desk after some progress: keep the progress, go on after its wait.
          if (!(error instanceof RateLimitedError) || report.checked === 0) throw error;
          report.continueAt = { cursor, offset: index, afterSeconds: Math.min(900, Math.max(1, Math.ceil(error.retryAfterSeconds ?? 30))) };
          return report;
        }
        report.checked++;
      }
      if (page.nextCursor === undefined) return report;
      cursor = page.nextCursor;
      offset = 0;
      if (sliceIsSpent()) {
        report.continueAt = { cursor, offset: 0 };
        return report;
      }
    }
  };

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
  status: 'running' | 'done';
  startedAt: string;
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

export interface ReconcileRunStore {
  progress(runId: string): Promise<RunProgress>;
  /** Notes that the continuation of this slice was sent. */
  handedOn(runId: string, sliceKey: string): Promise<void>;
  /** Adds one invocation's report to the run; a report of pages already recorded is ignored. */
  record(request: ReconcileRequest, report: ReconcilePageReport, at: Date): Promise<'recorded' | 'already-recorded'>;
  get(runId: string): Promise<ReconcileRun | undefined>;
}

/**
 * One invocation of a run: check a bounded slice, record it, and hand the rest to a continuation
 * message, so a run of any size never outlives a Lambda timeout and a failed slice is retried alone.
 * A slice delivered twice (SQS and EventBridge deliver at least once) is skipped once its continuation
 * was sent, so a run never forks into two chains; a crash between recording and handing on is
 * retried until the continuation is sent.
 */
export const makeReconcileRunner = (deps: {
  reconcile: ReturnType<typeof makeReconciler>;
  runs: ReconcileRunStore;
  continueRun: (request: ReconcileRequest, delaySeconds: number) => Promise<void>;
  now: () => Date;
}) =>
  async (request: ReconcileRequest): Promise<ReconcilePageReport & { duplicate?: true }> => {
    const key = sliceKey(request);
    const progress = await deps.runs.progress(request.runId);
    if (progress.handedOn?.includes(key) || (progress.finished && progress.recorded?.includes(key))) {
      return { runId: request.runId, pageKey: key, checked: 0, inSync: 0, inFlight: 0, drifts: [], repaired: 0, unreadable: [], duplicate: true };
    }
    const report = await deps.reconcile(request, progress);
    await deps.runs.record(request, report, deps.now());
    const next = report.continueAt;
    if (next !== undefined) {
      const { cursor: _cursor, offset: _offset, ...rest } = request;
      await deps.continueRun({ ...rest, ...(next.cursor !== undefined ? { cursor: next.cursor } : {}), offset: next.offset }, next.afterSeconds ?? 0);
      await deps.runs.handedOn(request.runId, key);
    }
    return report;
  };

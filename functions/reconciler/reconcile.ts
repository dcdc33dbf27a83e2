import { z } from 'zod';
import { EVENT_SOURCE_PREFIX, type CanonicalEvent, type DriftKind, type SyncDrift } from '../core/canonical/events';
import type { OrderStatusSnapshot } from '../core/canonical/order';
import { deriveEventId } from '../core/connectors/events';
import { parseJsonBody, validated } from '../core/canonical/parse';
import { DeferredError, NotFoundError, PermanentError, RateLimitedError } from '../core/errors';
import type { ErpPort } from '../core/erp-port';
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
    /** Consecutive hand-ons without progress (the ERP or the desk asked us to wait). */
    deferrals: z.number().int().min(0).optional(),
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
  const json = parseJsonBody(body, 'The reconciliation request');
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
  return validated(ReconcileRequest, json, 'Invalid reconciliation request');
};

export interface CaseShown {
  caseId: string;
  status?: string;
  version?: number;
}

/** A case shows the ERP's state: the same version and, when it shows a status, the same status. */
const showsErpState = (shown: CaseShown, erp: OrderStatusSnapshot) => shown.version === erp.version && (shown.status === undefined || shown.status === erp.status);

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

const emptyReport = (runId: string, pageKey: string): ReconcilePageReport => ({ runId, pageKey, checked: 0, inSync: 0, inFlight: 0, drifts: [], repaired: 0, unreadable: [] });

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

export interface ReconcileDependencies {
  /** The ERP's listing and order reads, already behind the ERP gate (breaker and rate budget). */
  erp: Pick<ErpPort, 'listOrdersChanged' | 'getOrder'>;
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
    /** Consecutive hand-ons without progress before the slice fails instead (and retries, then dead-letters). */
    maxDeferrals?: number;
  };
}

/** Only a vanished record (a deleted case: 404) makes one order unreadable; any other refusal (401, 403, 422) fails the slice. */
const isGone = (error: unknown) => error instanceof NotFoundError || (error instanceof PermanentError && error.context.status === 404);

/** The ERP or the service desk asked us to wait: the run goes on later instead of failing. */
const isSlowdown = (error: unknown): error is DeferredError | RateLimitedError => error instanceof DeferredError || error instanceof RateLimitedError;

const DEFAULT_MAX_DEFERRALS = 100;

/**
 * Compares the orders the ERP changed in the window with the sync state and with every linked service
 * case, each read through its adapter. Drift is reported as `sync.drift.detected` and repaired by
 * re-emitting the ERP's state, which travels the normal, version-guarded path. Bounded per invocation
 * (orders and time) and per run (repairs). When the ERP or the desk asks to wait (breaker open, budget
 * booked, 429), the slice hands the rest on with a delay rather than failing, so a long ERP outage never
 * dead-letters a run; other transient failures throw so the queue retries the slice.
 */
export const makeReconciler = ({ erp, desk, syncState, publisher, now, limits }: ReconcileDependencies) =>
  async (request: ReconcileRequest, progress: RunProgress = { repaired: 0 }): Promise<ReconcilePageReport> => {
    const window = { since: new Date(request.since), until: new Date(request.until) };
    const report = emptyReport(request.runId, sliceKey(request));
    const sliceEnds = now().getTime() + limits.maxSliceSeconds * 1000;
    const sliceIsSpent = () => report.checked >= limits.maxOrdersPerInvocation || now().getTime() >= sliceEnds;

    const handOnAfter = (cursor: string | undefined, offset: number, error: DeferredError | RateLimitedError) => {
      const deferrals = report.checked === 0 ? (request.deferrals ?? 0) + 1 : 0;
      if (deferrals > (limits.maxDeferrals ?? DEFAULT_MAX_DEFERRALS)) throw error;
      report.continueAt = {
        cursor,
        offset,
        afterSeconds: Math.min(900, Math.max(1, Math.ceil(error.retryAfterSeconds ?? 30))),
        ...(deferrals > 0 ? { deferrals } : {}),
      };
      return report;
    };

    const check = async (listed: OrderStatusSnapshot) => {
      let authoritative = listed;
      const ageSeconds = () => Math.max(0, Math.floor((now().getTime() - Date.parse(authoritative.occurredAt)) / 1000));
      if (ageSeconds() < limits.graceSeconds) {
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
        if (!isGone(error)) throw error;
        report.unreadable.push({ orderId: authoritative.orderId, reason: (error as Error).message });
        return;
      }
      let kinds = driftKinds(authoritative, record, cases);
      if (kinds.includes('service-desk-ahead')) {
        // The listing may be minutes old: a case "ahead" of it may just show a newer change. Ask the ERP again.
        const fresh = await erp.getOrder(authoritative.orderId);
        if (fresh && fresh.version > authoritative.version) {
          authoritative = fresh;
          if (ageSeconds() < limits.graceSeconds) {
            report.inFlight++;
            return;
          }
          kinds = driftKinds(authoritative, record, cases);
        }
      }
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
        serviceDesk: { cases: cases.filter((shown) => !showsErpState(shown, authoritative)) },
        ageSeconds: ageSeconds(),
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
      let page: Awaited<ReturnType<typeof erp.listOrdersChanged>>;
      try {
        page = await erp.listOrdersChanged(window, cursor);
      } catch (error) {
        if (!isSlowdown(error)) throw error;
        return handOnAfter(cursor, offset, error);
      }
      for (let index = offset; index < page.orders.length; index++) {
        // Every slice checks at least one order, so a run always moves on.
        if (report.checked > 0 && sliceIsSpent()) {
          report.continueAt = { cursor, offset: index };
          return report;
        }
        try {
          await check(page.orders[index]!);
        } catch (error) {
          if (!isSlowdown(error)) throw error;
          return handOnAfter(cursor, index, error);
        }
        report.checked++;
      }
      // Counted by the slice that finishes the page, so once however the page is split.
      report.unreadable.push(...page.unreadable);
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
  slice(runId: string, sliceKey: string): Promise<SliceRecord | undefined>;
  /**
   * Records the slice (with where the run goes on) and adds its counts to the run, atomically and once:
   * `already-recorded` when that slice was recorded before.
   */
  record(request: ReconcileRequest, report: ReconcilePageReport, at: Date): Promise<'recorded' | 'already-recorded'>;
  /** Notes that the continuation of this slice was sent. */
  handedOn(runId: string, sliceKey: string): Promise<void>;
  get(runId: string): Promise<ReconcileRun | undefined>;
}

/**
 * One invocation of a run: check a bounded slice, record it, and hand the rest to a continuation
 * message, so a run of any size never outlives a Lambda timeout and a failed slice is retried alone.
 * The slice's record keeps where the run goes on, so a slice delivered or retried after it was recorded
 * resends exactly that continuation (never one computed again, which could differ and fork the run),
 * and a crash between recording and handing on is mended by the retry.
 */
export const makeReconcileRunner = (deps: {
  reconcile: ReturnType<typeof makeReconciler>;
  runs: ReconcileRunStore;
  continueRun: (request: ReconcileRequest, delaySeconds: number) => Promise<void>;
  now: () => Date;
}) => {
  const handOn = async (request: ReconcileRequest, key: string, next: ContinueAt) => {
    const { cursor: _cursor, offset: _offset, deferrals: _deferrals, ...rest } = request;
    await deps.continueRun(
      { ...rest, ...(next.cursor !== undefined ? { cursor: next.cursor } : {}), offset: next.offset, ...(next.deferrals ? { deferrals: next.deferrals } : {}) },
      next.afterSeconds ?? 0,
    );
    await deps.runs.handedOn(request.runId, key);
  };
  const resume = async (request: ReconcileRequest, key: string, recorded: SliceRecord | undefined) => {
    if (recorded?.continueAt && !recorded.handedOn) await handOn(request, key, recorded.continueAt);
  };
  const duplicateOf = (request: ReconcileRequest, key: string): ReconcilePageReport & { duplicate: true } => ({ ...emptyReport(request.runId, key), duplicate: true });

  return async (request: ReconcileRequest): Promise<ReconcilePageReport & { duplicate?: true }> => {
    const key = sliceKey(request);
    const earlier = await deps.runs.slice(request.runId, key);
    if (earlier) {
      await resume(request, key, earlier);
      return duplicateOf(request, key);
    }
    const report = await deps.reconcile(request, await deps.runs.progress(request.runId));
    if ((await deps.runs.record(request, report, deps.now())) === 'already-recorded') {
      // Another delivery of this slice recorded first: go on from where it said.
      await resume(request, key, await deps.runs.slice(request.runId, key));
      return duplicateOf(request, key);
    }
    if (report.continueAt !== undefined) await handOn(request, key, report.continueAt);
    return report;
  };
};

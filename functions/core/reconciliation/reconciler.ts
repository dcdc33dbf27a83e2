import type { CanonicalEvent, SyncDrift } from '../canonical/events';
import type { OrderStatusSnapshot } from '../canonical/order';
import { DeferredError, RateLimitedError } from '../errors';
import type { ErpPort } from '../ports/erp';
import type { EventPublisher } from '../ports/event-publisher';
import { MAX_CASES_PER_READ, type LinkedCaseView, type ServiceDeskBulkReads, type ServiceDeskPort } from '../ports/service-desk';
import type { SyncStateBatches } from '../ports/sync-state-store';
import type { OrderSyncRecord } from '../sync-state';
import { driftKinds, isRepairable, showsErpState, type CaseShown } from './drift-rules';
import { driftEvent, repairEvent } from './reconciliation-events';
import type { ReconcileRequest } from './reconcile-request';
import { emptyReport, sliceKey, type ReconcilePageReport, type RunProgress } from './reconcile-run';

export interface ReconcileDependencies {
  /** The ERP's listing and order reads, already behind the ERP gate (breaker and rate budget). */
  erp: Pick<ErpPort, 'listOrdersChanged' | 'getOrder' | 'getInvoicedOrder'>;
  /**
   * The desk read in bulk: the cases changed since the slice's first ERP change (one export), the cases the
   * sync state links that the export did not show (by id, 100 a call), and a search by order only for an
   * order the sync state has never seen and no exported case names.
   */
  desk: Pick<ServiceDeskPort, 'findCasesForOrder'> & ServiceDeskBulkReads;
  /** Read to compare (in batches); written only to record what the desk was just read to show (verified or not). */
  syncState: SyncStateBatches;
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

/** The ERP or the service desk asked us to wait: the run goes on later instead of failing. */
const isSlowdown = (error: unknown): error is DeferredError | RateLimitedError => error instanceof DeferredError || error instanceof RateLimitedError;

const DEFAULT_MAX_DEFERRALS = 100;

const chunksOf = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

/** The ERP's and the desk's clocks may differ: the export starts this much before the slice's first ERP change. */
const EXPORT_MARGIN_MS = 5 * 60_000;

/**
 * Compares the orders the ERP changed in the window with the sync state and with every linked service
 * case, read in bulk: the ERP a page at a time (through the gate), the sync state in batches, and the desk
 * by one incremental export per slice of the cases changed since the slice's first ERP change, plus the
 * cases the sync state links that the export did not show (by id). What the cases were read to show is
 * recorded on the desk side of the sync state: verified when every case shows the ERP's state, no longer
 * verified when a case lost it. Drift is reported as `sync.drift.detected` and repaired by re-emitting the
 * ERP's state, which travels the normal, version-guarded path. Bounded per invocation (orders and time)
 * and per run (repairs). When the ERP or the desk asks to wait (breaker open, budget booked, 429), the
 * slice hands the rest on with a delay rather than failing, so a long ERP outage never dead-letters a run;
 * other transient failures throw so the queue retries the slice.
 */
export const makeReconciler = ({ erp, desk, syncState, publisher, now, limits }: ReconcileDependencies) =>
  async (request: ReconcileRequest, progress: RunProgress = { repaired: 0 }): Promise<ReconcilePageReport> => {
    const window = { since: new Date(request.since), until: new Date(request.until) };
    const report = emptyReport(request.runId, sliceKey(request));
    const sliceEnds = now().getTime() + limits.maxSliceSeconds * 1000;
    const sliceIsSpent = () => report.checked >= limits.maxOrdersPerInvocation || now().getTime() >= sliceEnds;
    const ageOf = (snapshot: OrderStatusSnapshot) => Math.max(0, Math.floor((now().getTime() - Date.parse(snapshot.occurredAt)) / 1000));

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

    // ---- the desk, read in bulk once per slice -------------------------------------------------------------
    /** Every case read in this slice by id; `null`: asked for by id and gone (deleted). */
    const caseViews = new Map<string, LinkedCaseView | null>();
    /** The cases the export shows linked to each order. */
    const exportedByOrder = new Map<string, string[]>();
    let exported = false;
    const exportCasesSince = async (since: Date) => {
      if (exported) return;
      let cursor: string | undefined;
      do {
        const page = await desk.exportCasesChanged(since, cursor);
        // Oldest change first: a case exported twice keeps its latest view.
        for (const view of page.cases) caseViews.set(view.caseId, view);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      for (const view of caseViews.values()) {
        if (view?.orderId !== undefined) exportedByOrder.set(view.orderId, [...(exportedByOrder.get(view.orderId) ?? []), view.caseId]);
      }
      exported = true;
    };
    const readCasesById = async (caseIds: string[]) => {
      const unread = [...new Set(caseIds)].filter((caseId) => !caseViews.has(caseId));
      for (const ids of chunksOf(unread, MAX_CASES_PER_READ)) {
        const views = await desk.getCases(ids);
        for (const caseId of ids) caseViews.set(caseId, null);
        for (const view of views) caseViews.set(view.caseId, view);
      }
    };
    /** The cases linked to each of these orders: exported, linked by the sync state, or (an order never seen) searched. */
    const linkedCases = async (orders: OrderStatusSnapshot[], records: Map<string, OrderSyncRecord>) => {
      const firstChange = Math.min(...orders.map((snapshot) => Date.parse(snapshot.occurredAt)));
      await exportCasesSince(new Date(Math.max(firstChange, window.since.getTime()) - EXPORT_MARGIN_MS));
      const recordedOf = (orderId: string) => records.get(orderId)?.serviceDesk?.caseIds ?? [];
      await readCasesById(orders.flatMap((snapshot) => recordedOf(snapshot.orderId)));
      // An order the product never heard of may have a case that changed before the export began: search for it.
      const searched = new Map<string, string[]>();
      for (const snapshot of orders.filter((candidate) => !records.has(candidate.orderId) && !exportedByOrder.has(candidate.orderId))) {
        searched.set(snapshot.orderId, await desk.findCasesForOrder(snapshot.orderId));
      }
      await readCasesById([...searched.values()].flat());
      return (orderId: string): CaseShown[] =>
        [...new Set([...(exportedByOrder.get(orderId) ?? []), ...recordedOf(orderId), ...(searched.get(orderId) ?? [])])]
          .map((caseId) => caseViews.get(caseId))
          // A case that is gone, or whose order field now names another order, is no longer linked.
          .filter((view): view is LinkedCaseView => view !== null && view !== undefined && view.orderId === orderId)
          .map((view) => ({ caseId: view.caseId, status: view.orderStatus, version: view.orderVersion }));
    };

    // ---- writes and events, sent in bulk after each batch ---------------------------------------------------
    const pendingWrites: Parameters<SyncStateBatches['recordServiceDeskStatuses']>[0] = [];
    const pendingEvents: CanonicalEvent[] = [];
    const flush = async () => {
      if (pendingWrites.length > 0) await syncState.recordServiceDeskStatuses(pendingWrites.splice(0));
      if (pendingEvents.length > 0) await publisher.publish(pendingEvents.splice(0));
    };

    const check = async (listed: OrderStatusSnapshot, record: OrderSyncRecord | undefined, cases: CaseShown[]) => {
      let authoritative = listed;
      let kinds = driftKinds(authoritative, record, cases);
      if (kinds.includes('service-desk-ahead')) {
        // The listing may be minutes old: a case "ahead" of it may just show a newer change. Ask the ERP again.
        // Each read is one ERP request (one slot of the rate budget): the invoice only when the order has left the open orders.
        const fresh = (await erp.getOrder(authoritative.orderId)) ?? (await erp.getInvoicedOrder(authoritative.orderId));
        if (fresh && fresh.version > authoritative.version) {
          authoritative = fresh;
          if (ageOf(authoritative) < limits.graceSeconds) {
            report.inFlight++;
            return;
          }
          kinds = driftKinds(authoritative, record, cases);
        }
      }
      const verifiedAt = now();
      if (kinds.length === 0) {
        // Every linked case was just read showing the ERP's state: that verifies the desk side.
        if (cases.length > 0) {
          const shown = { status: authoritative.status, version: authoritative.version, caseIds: cases.map((view) => view.caseId), verified: true };
          pendingWrites.push({ orderId: authoritative.orderId, shown, at: verifiedAt });
        }
        report.inSync++;
        return;
      }
      const recordedDesk = record?.serviceDesk;
      if (kinds.includes('service-desk-behind') && recordedDesk?.verified && recordedDesk.version === authoritative.version) {
        // The desk was verified at this version but a read shows otherwise now (overwritten after the answer).
        const { status, version, caseIds } = recordedDesk;
        pendingWrites.push({ orderId: authoritative.orderId, shown: { status, version, caseIds, verified: false }, at: verifiedAt });
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
        ageSeconds: ageOf(authoritative),
        detectedAt: verifiedAt.toISOString(),
        repair,
      };
      pendingEvents.push(driftEvent(drift));
      if (repair === 'reemitted') {
        pendingEvents.push(repairEvent(authoritative, request.runId, verifiedAt));
        report.repaired++;
      }
      report.drifts.push(drift);
    };

    /** Checks orders `offset`… of a page in bulk; answers the report when the slice must hand on first. */
    const checkBatch = async (cursor: string | undefined, offset: number, batch: OrderStatusSnapshot[]) => {
      const judged = batch.filter((snapshot) => ageOf(snapshot) >= limits.graceSeconds);
      const judgedIds = new Set(judged.map((snapshot) => snapshot.orderId));
      let records = new Map<string, OrderSyncRecord>();
      let casesOf: (orderId: string) => CaseShown[] = () => [];
      try {
        if (judged.length > 0) {
          records = await syncState.getOrders(judged.map((snapshot) => snapshot.orderId));
          casesOf = await linkedCases(judged, records);
        }
      } catch (error) {
        if (!isSlowdown(error)) throw error;
        return handOnAfter(cursor, offset, error);
      }
      for (let index = 0; index < batch.length; index++) {
        const listed = batch[index]!;
        try {
          if (judgedIds.has(listed.orderId)) await check(listed, records.get(listed.orderId), casesOf(listed.orderId));
          else report.inFlight++;
        } catch (error) {
          if (!isSlowdown(error)) throw error;
          await flush();
          return handOnAfter(cursor, offset + index, error);
        }
        report.checked++;
      }
      await flush();
      return undefined;
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
      // Every slice checks at least one order, so a run always moves on.
      const room = Math.max(report.checked === 0 ? 1 : 0, limits.maxOrdersPerInvocation - report.checked);
      const end = Math.min(page.orders.length, offset + room);
      if (end > offset) {
        const handedOn = await checkBatch(cursor, offset, page.orders.slice(offset, end));
        if (handedOn) return handedOn;
      }
      if (end < page.orders.length) {
        report.continueAt = { cursor, offset: end };
        return report;
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

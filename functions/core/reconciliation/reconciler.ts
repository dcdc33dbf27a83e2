import type { CanonicalEvent, SyncDrift } from '../canonical/events';
import type { OrderStatusSnapshot } from '../canonical/order';
import { DeferredError, NotFoundError, PermanentError, RateLimitedError } from '../errors';
import type { ErpPort } from '../ports/erp';
import type { EventPublisher } from '../ports/event-publisher';
import type { ServiceDeskPort } from '../ports/service-desk';
import type { SyncStateStore } from '../ports/sync-state-store';
import type { OrderSyncRecord } from '../sync-state';
import { driftKinds, isRepairable, showsErpState, type CaseShown } from './drift-rules';
import { driftEvent, repairEvent } from './reconciliation-events';
import type { ReconcileRequest } from './reconcile-request';
import { emptyReport, sliceKey, type ReconcilePageReport, type RunProgress } from './reconcile-run';

export interface ReconcileDependencies {
  /** The ERP's listing and order reads, already behind the ERP gate (breaker and rate budget). */
  erp: Pick<ErpPort, 'listOrdersChanged' | 'getOrder' | 'getInvoicedOrder'>;
  desk: Pick<ServiceDeskPort, 'findCasesForOrder' | 'getCase'>;
  /** Read to compare; written only to record what the desk was just read to show (verified or not). */
  syncState: Pick<SyncStateStore, 'getOrder' | 'recordServiceDeskStatus'>;
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
 * case, each read through its adapter. What the cases were read to show is recorded on the desk side of
 * the sync state: verified when every case shows the ERP's state, no longer verified when a case
 * lost it. Drift is reported as `sync.drift.detected` and repaired by
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
        // Each read is one ERP request (one slot of the rate budget): the invoice only when the order has left the open orders.
        const fresh = (await erp.getOrder(authoritative.orderId)) ?? (await erp.getInvoicedOrder(authoritative.orderId));
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
        // Every linked case was just read showing the ERP's state: that verifies the desk side.
        if (cases.length > 0) {
          await syncState.recordServiceDeskStatus(
            authoritative.orderId,
            { status: authoritative.status, version: authoritative.version, caseIds: cases.map((shown) => shown.caseId), verified: true },
            now(),
          );
        }
        report.inSync++;
        return;
      }
      const recordedDesk = record?.serviceDesk;
      if (kinds.includes('service-desk-behind') && recordedDesk?.verified && recordedDesk.version === authoritative.version) {
        // The desk was verified at this version but a read shows otherwise now (overwritten after the answer).
        await syncState.recordServiceDeskStatus(authoritative.orderId, { ...recordedDesk, verified: false }, now());
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

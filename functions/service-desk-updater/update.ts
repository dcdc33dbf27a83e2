import type { OrderStatusChangedDetail } from '../core/canonical/events';
import type { OrderStatusSnapshot } from '../core/canonical/order';
import { TransientError } from '../core/errors';
import type { Clock } from '../core/ports/clock';
import type { ServiceDeskPort } from '../core/ports/service-desk';
import type { ApplyOutcome, SyncStateStore } from '../core/ports/sync-state-store';
import { answerShowsWrite, decideCasePush, type CasePushDecision } from '../core/sync-state';

/** Attempts at one case's compare-and-set before the message goes back to the queue. */
const MAX_CONFLICT_ATTEMPTS = 3;

export interface UpdaterDependencies {
  desk: ServiceDeskPort;
  store: SyncStateStore;
  clock: Clock;
}

export interface UpdateResult {
  caseIds: string[];
  decisions: Record<string, CasePushDecision>;
  /** Cases written whose answer did not show the write (a lost update, or no case in the answer). */
  unverifiedCaseIds: string[];
  recorded: ApplyOutcome | 'no-linked-case' | 'nothing-shown';
}

const isConflict = (error: unknown) => error instanceof TransientError && error.context.conflict === true;

/**
 * Pushes the ERP's order status to every linked case, then records what the desk now shows. Each case
 * update is a compare-and-set on the case's revision and is skipped when the case already shows this or a
 * newer version, so redeliveries and out-of-order events never move a case back. The desk side is
 * recorded as verified only when every case was seen to hold the write: read so before (nothing to push)
 * or returned so by the update; otherwise it is recorded unverified, for reconciliation to read again.
 */
export const makeServiceDeskUpdater = ({ desk, store, clock }: UpdaterDependencies) => {
  const pushToCase = async (caseId: string, snapshot: OrderStatusSnapshot): Promise<{ decision: CasePushDecision; verified: boolean }> => {
    for (let attempt = 1; ; attempt++) {
      const view = await desk.getCase(caseId);
      const decision = decideCasePush(view, snapshot);
      if (decision !== 'push') return { decision, verified: decision === 'already-current' };
      try {
        const answer = await desk.setOrderStatus(caseId, snapshot, view.revision);
        return { decision, verified: answerShowsWrite(answer, snapshot) };
      } catch (error) {
        if (!isConflict(error) || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
      }
    }
  };

  return async (event: OrderStatusChangedDetail): Promise<UpdateResult> => {
    const snapshot = event.data;
    const caseIds = await desk.findCasesForOrder(snapshot.orderId);
    const decisions: Record<string, CasePushDecision> = {};
    const unverifiedCaseIds: string[] = [];
    for (const caseId of caseIds) {
      const pushed = await pushToCase(caseId, snapshot);
      decisions[caseId] = pushed.decision;
      if (pushed.decision === 'push' && !pushed.verified) unverifiedCaseIds.push(caseId);
    }
    if (caseIds.length === 0) return { caseIds, decisions, unverifiedCaseIds, recorded: 'no-linked-case' };
    const showing = caseIds.filter((caseId) => decisions[caseId] !== 'case-has-newer');
    if (showing.length === 0) return { caseIds, decisions, unverifiedCaseIds, recorded: 'nothing-shown' };
    const recorded = await store.recordServiceDeskStatus(
      snapshot.orderId,
      { status: snapshot.status, version: snapshot.version, caseIds: showing, verified: unverifiedCaseIds.length === 0 },
      clock.now(),
    );
    return { caseIds, decisions, unverifiedCaseIds, recorded };
  };
};

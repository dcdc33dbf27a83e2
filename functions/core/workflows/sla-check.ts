import type { WorkflowState } from '../canonical/workflow';
import type { Clock } from '../ports/clock';
import type { EventPublisher } from '../ports/event-publisher';
import type { WorkflowStore, WorkflowSummary } from '../ports/workflow-tasks';
import { workflowEvent } from './workflow-steps';

/** States in which a workflow is still open, and so can still breach its SLA. */
export const OPEN_STATES: readonly WorkflowState[] = ['running', 'waiting-for-return', 'exception'];

const PAGE_SIZE = 100;

export interface SlaCheckResult {
  /** Open workflows per state, as counted by this check. */
  open: Record<string, number>;
  /** Workflows found overdue for the first time by this check (each reported once, ever). */
  newlyBreached: string[];
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;

/**
 * Finds open workflows past their SLA (`slaDueAt`, set when eligibility was decided under a policy),
 * marks each once and publishes `workflow.sla.breached` for it, and counts the open workflows per state
 * for the dashboard. Runs on a schedule; a run that repeats (a redelivered tick) reports nothing twice.
 */
export const makeSlaCheck = ({ store, publisher, clock }: { store: Pick<WorkflowStore, 'listByState' | 'markSlaBreached'>; publisher: EventPublisher; clock: Clock }) =>
  async (): Promise<SlaCheckResult> => {
    const now = clock.now();
    const result: SlaCheckResult = { open: {}, newlyBreached: [] };
    const overdue: WorkflowSummary[] = [];
    for (const state of OPEN_STATES) {
      result.open[state] = 0;
      let cursor: string | undefined;
      do {
        const page = await store.listByState(state, PAGE_SIZE, cursor);
        result.open[state] += page.workflows.length;
        overdue.push(...page.workflows.filter((workflow) => workflow.slaDueAt && !workflow.slaBreachedAt && Date.parse(workflow.slaDueAt) < now.getTime()));
        cursor = page.nextCursor;
      } while (cursor);
    }
    for (const workflow of overdue) {
      const late = now.getTime() - Date.parse(workflow.slaDueAt!);
      const transition = {
        workflowId: workflow.workflowId,
        workflow: workflow.workflow,
        caseId: workflow.caseId,
        orderId: workflow.orderId,
        milestone: workflow.milestone,
        state: workflow.state,
        actor: 'system' as const,
        cause: `SLA breached: due ${workflow.slaDueAt}, still ${workflow.state} at "${workflow.milestone}" ${hours(late)} h later.`,
        occurredAt: now.toISOString(),
        slaDueAt: workflow.slaDueAt,
        ...(workflow.resolution ? { resolution: workflow.resolution } : {}),
      };
      // Published before it is marked, so a crash in between publishes again (same event id) rather than never.
      await publisher.publish([workflowEvent('workflow.sla.breached', transition, `${workflow.workflowId}:sla-breached`, workflow.workflowId, now)]);
      if ((await store.markSlaBreached(workflow.workflowId, now.toISOString())) === 'marked') result.newlyBreached.push(workflow.workflowId);
    }
    return result;
  };

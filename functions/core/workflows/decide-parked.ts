import { NotFoundError, WorkflowNotParkedError } from '../errors';
import type { TaskCallbacks, WorkflowException, WorkflowStore, WorkflowWaits } from '../ports/workflow-tasks';

/** What a person can decide for a parked workflow; the definition's "Retry?" choice reads it as `action`. */
export type ParkedDecision = 'retry' | 'abandon';

export interface DecideParkedDependencies {
  waits: Pick<WorkflowWaits, 'parked' | 'clearParked'>;
  callbacks: Pick<TaskCallbacks, 'succeed'>;
  /** Only read to say why a workflow that is not parked cannot take a decision. */
  store: Pick<WorkflowStore, 'get'>;
}

export interface ParkedDecisionTaken {
  workflowId: string;
  action: ParkedDecision;
  /** The exception the workflow was parked with, and since when. */
  exception: WorkflowException;
  parkedAt: string;
}

/**
 * Answers the token of a parked workflow with a person's decision (`{ action: 'retry' | 'abandon' }`), then
 * forgets the token. Safe to repeat after a crash between the two: a token answered before is ignored by
 * the callbacks. A workflow that is not parked gets `WorkflowNotParkedError` (saying where it stands), an
 * unknown one `NotFoundError`.
 *
 * @example
 * await decideParked({ waits: store, callbacks: makeStepFunctionsCallbacks(sfn), store }, 'rr-4711-SO-1001-ab12', 'retry');
 */
export const decideParked = async (deps: DecideParkedDependencies, workflowId: string, action: ParkedDecision): Promise<ParkedDecisionTaken> => {
  const parked = await deps.waits.parked(workflowId);
  if (!parked) {
    const workflow = await deps.store.get(workflowId);
    if (!workflow) throw new NotFoundError(`No workflow ${workflowId}`, { workflowId });
    const { state, milestone } = workflow.summary;
    throw new WorkflowNotParkedError(`Workflow ${workflowId} is not parked (state ${state}, last milestone ${milestone}): there is nothing to ${action}`, { workflowId, state });
  }
  await deps.callbacks.succeed(parked.taskToken, { action });
  await deps.waits.clearParked(workflowId);
  return { workflowId, action, exception: parked.exception, parkedAt: parked.parkedAt };
};

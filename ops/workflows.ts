/** `ops workflows`: list, show, and a person's decision (retry, abandon) on a parked workflow. */
import { ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ExecutionDoesNotExist, ListStateMachinesCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { makeStepFunctionsCallbacks } from '../functions/adapters/step-functions-callbacks';
import { makeDynamoDbWorkflowStore } from '../functions/adapters/workflow-store';
import { WorkflowState } from '../functions/core/canonical/workflow';
import { NotFoundError, WorkflowNotParkedError } from '../functions/core/errors';
import type { WorkflowException, WorkflowHistoryEntry, WorkflowSummary } from '../functions/core/ports/workflow-tasks';
import { decideParked, type ParkedDecision, type ParkedDecisionTaken } from '../functions/core/workflows/decide-parked';
import { resourceNames } from '../lib/topology';
import { auditTarget, type Auditor } from './audit';
import { explainAwsError, OpsError, UsageError } from './errors';

/** The stage's workflow table, named by the topology like every other. */
export const workflowsTableOf = (stage: string) => resourceNames(stage).table('workflows');

/** The states a workflow can still leave: what `list` shows without `--state`. */
export const OPEN_STATES: WorkflowState[] = ['running', 'waiting-for-return', 'exception'];

export const parseState = (value: string): WorkflowState => {
  const parsed = WorkflowState.safeParse(value);
  if (!parsed.success) throw new UsageError(`--state must be one of ${WorkflowState.options.join(', ')}; got "${value}"`);
  return parsed.data;
};

const readFailure = (error: unknown, stage: string, what: string) => {
  if (error instanceof ResourceNotFoundException) {
    return new OpsError(`No workflow table ${workflowsTableOf(stage)}: is stage "${stage}" deployed with its workflows (or the local stack running)?`);
  }
  return explainAwsError(error, what);
};

/** Workflows in the given states (each the longest unchanged first), at most `limit` in all. */
export const listWorkflows = async (dynamodb: DynamoDBClient, stage: string, states: WorkflowState[], limit: number): Promise<WorkflowSummary[]> => {
  const store = makeDynamoDbWorkflowStore(dynamodb, workflowsTableOf(stage));
  const found: WorkflowSummary[] = [];
  try {
    for (const state of states) {
      let cursor: string | undefined;
      do {
        const page = await store.listByState(state, limit - found.length, cursor);
        found.push(...page.workflows);
        cursor = page.nextCursor;
      } while (cursor && found.length < limit);
      if (found.length >= limit) break;
    }
  } catch (error) {
    throw readFailure(error, stage, `list workflows in ${workflowsTableOf(stage)}`);
  }
  return found.slice(0, limit);
};

export interface WorkflowDetail {
  summary: WorkflowSummary;
  history: WorkflowHistoryEntry[];
  /** Present while the workflow waits for a person's decision. */
  parked?: { exception: WorkflowException; parkedAt: string };
}

export const showWorkflow = async (dynamodb: DynamoDBClient, stage: string, workflowId: string): Promise<WorkflowDetail> => {
  const store = makeDynamoDbWorkflowStore(dynamodb, workflowsTableOf(stage));
  try {
    const workflow = await store.get(workflowId);
    if (!workflow) throw new UsageError(`No workflow "${workflowId}" in stage "${stage}" (see: retail-sync ops workflows list --stage ${stage})`);
    const parked = await store.parked(workflowId);
    return { ...workflow, ...(parked ? { parked: { exception: parked.exception, parkedAt: parked.parkedAt } } : {}) };
  } catch (error) {
    throw readFailure(error, stage, `read workflow ${workflowId} from ${workflowsTableOf(stage)}`);
  }
};

/** The status of the workflow's execution (its name is the workflow id), or undefined when there is none. */
const executionStatus = async (sfn: SFNClient, stage: string, workflowId: string): Promise<string | undefined> => {
  const name = resourceNames(stage).stateMachine('refundOrReplacement');
  let stateMachineArn: string | undefined;
  for (let nextToken: string | undefined, first = true; !stateMachineArn && (first || nextToken); first = false) {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    stateMachineArn = page.stateMachines?.find((machine) => machine.name === name)?.stateMachineArn;
    nextToken = page.nextToken;
  }
  if (!stateMachineArn) throw new OpsError(`No state machine ${name}: is stage "${stage}" deployed with its workflows (or the local stack running)?`);
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${workflowId}`;
  try {
    return (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
};

/**
 * Sends a person's decision to a parked workflow. Refuses, changing nothing, when the workflow is not
 * parked or its execution no longer runs (a token of an ended execution is void: Step Functions would
 * drop the answer and the command would claim a decision nobody heard).
 */
export const decideWorkflow = async (
  clients: { dynamodb: DynamoDBClient; sfn: SFNClient },
  stage: string,
  workflowId: string,
  action: ParkedDecision,
  /** Who decides: an audit line on the workflow, whether the decision was taken or refused. */
  audit?: Auditor,
): Promise<ParkedDecisionTaken> => {
  try {
    const taken = await decide(clients, stage, workflowId, action);
    await audit?.record({ action: `workflow.${action}`, target: auditTarget.workflow(workflowId), detail: { step: taken.exception.step, error: taken.exception.error }, outcome: 'ok' });
    return taken;
  } catch (error) {
    await audit?.record({ action: `workflow.${action}`, target: auditTarget.workflow(workflowId), detail: { error: (error as Error).message }, outcome: 'failed' });
    throw error;
  }
};

const decide = async (clients: { dynamodb: DynamoDBClient; sfn: SFNClient }, stage: string, workflowId: string, action: ParkedDecision): Promise<ParkedDecisionTaken> => {
  const store = makeDynamoDbWorkflowStore(clients.dynamodb, workflowsTableOf(stage));
  try {
    if (await store.parked(workflowId)) {
      const status = await executionStatus(clients.sfn, stage, workflowId);
      if (status !== 'RUNNING') {
        throw new OpsError(`Workflow ${workflowId} is parked, but its execution ${status ? `is ${status}` : 'does not exist'}: nothing would hear a ${action}`);
      }
    }
    return await decideParked({ waits: store, store, callbacks: makeStepFunctionsCallbacks(clients.sfn) }, workflowId, action);
  } catch (error) {
    if (error instanceof NotFoundError) throw new UsageError(`No workflow "${workflowId}" in stage "${stage}" (see: retail-sync ops workflows list --stage ${stage})`);
    if (error instanceof WorkflowNotParkedError) throw new OpsError(`${error.message}; only a workflow parked as an exception takes retry or abandon`);
    throw readFailure(error, stage, `${action} workflow ${workflowId}`);
  }
};

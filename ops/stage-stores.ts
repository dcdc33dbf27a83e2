/**
 * What `ops overview` and `ops delayed` read from a stage's stores: every order's sync state, the open
 * workflows (with the exception a parked one waits with), the ERP command ledger, reconciliation runs,
 * the ERP breaker and rate budget. Reading only; scans are paged and projected.
 */
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { COMMAND_KEY_PREFIX, commandRecordOf } from '../functions/adapters/erp-coordination-store';
import { orderSyncRecordOf } from '../functions/adapters/sync-state-store';
import { makeDynamoDbWorkflowStore } from '../functions/adapters/workflow-store';
import type { OrderSyncRecord } from '../functions/core/sync-state';
import type { CommandRecord } from '../functions/core/ports/command-ledger';
import type { WorkflowException, WorkflowSummary } from '../functions/core/ports/workflow-tasks';
import type { ReconcileRun } from '../functions/core/reconciliation/reconcile-run';
import { resourceNames } from '../lib/topology';
import type { OpsConnection } from './connection';
import { explainAwsError, OpsError } from './errors';
import { OPEN_STATES } from './workflows';

type Conn = Pick<OpsConnection, 'dynamodb' | 'stage'>;

const documentsOf = (conn: Conn) => DynamoDBDocumentClient.from(conn.dynamodb);

const scanAll = async (conn: Conn, input: ScanCommandInput, what: string): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  try {
    do {
      const page = await documentsOf(conn).send(new ScanCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) throw new OpsError(`No table ${input.TableName}: is stage "${conn.stage}" deployed (or the local stack running)?`);
    throw explainAwsError(error, what);
  }
  return items;
};

/** Every order's sync state (a scan of the sync-state table). */
export const scanOrderSyncRecords = async (conn: Conn): Promise<OrderSyncRecord[]> => {
  const tableName = resourceNames(conn.stage).table('syncState');
  const items = await scanAll(conn, { TableName: tableName, FilterExpression: 'begins_with(pk, :order)', ExpressionAttributeValues: { ':order': 'ORDER#' } }, `scan the sync state ${tableName}`);
  return items.map(orderSyncRecordOf);
};

export interface OpenWorkflow {
  summary: WorkflowSummary;
  parked?: { exception: WorkflowException; parkedAt: string };
}

/** The workflows still open (running, waiting for a return, parked), each with its parked exception. */
export const listOpenWorkflows = async (conn: Conn): Promise<OpenWorkflow[]> => {
  const tableName = resourceNames(conn.stage).table('workflows');
  const store = makeDynamoDbWorkflowStore(conn.dynamodb, tableName);
  const found: OpenWorkflow[] = [];
  try {
    for (const state of OPEN_STATES) {
      let cursor: string | undefined;
      do {
        const page = await store.listByState(state, 100, cursor);
        for (const summary of page.workflows) {
          const parked = state === 'exception' ? await store.parked(summary.workflowId) : undefined;
          found.push({ summary, ...(parked ? { parked: { exception: parked.exception, parkedAt: parked.parkedAt } } : {}) });
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
  } catch (error) {
    if (error instanceof ResourceNotFoundException) throw new OpsError(`No workflow table ${tableName}: is stage "${conn.stage}" deployed (or the local stack running)?`);
    throw explainAwsError(error, `list the open workflows in ${tableName}`);
  }
  return found;
};

/** Counts per workflow state (every state, a scan of the `by-state` index's keys through the table). */
export const countWorkflowsByState = async (conn: Conn): Promise<Record<string, number>> => {
  const tableName = resourceNames(conn.stage).table('workflows');
  const items = await scanAll(
    conn,
    { TableName: tableName, FilterExpression: 'sk = :summary', ExpressionAttributeValues: { ':summary': 'SUMMARY' }, ProjectionExpression: '#state', ExpressionAttributeNames: { '#state': 'state' } },
    `count the workflows in ${tableName}`,
  );
  const counts: Record<string, number> = {};
  for (const item of items) counts[String(item.state)] = (counts[String(item.state)] ?? 0) + 1;
  return counts;
};

/** ERP commands the ledger shows started and not done. */
export const scanWaitingCommands = async (conn: Conn): Promise<Array<{ commandId: string; command: CommandRecord }>> => {
  const tableName = resourceNames(conn.stage).table('coordination');
  const items = await scanAll(
    conn,
    {
      TableName: tableName,
      FilterExpression: 'begins_with(pk, :command) AND #status <> :done',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':command': COMMAND_KEY_PREFIX, ':done': 'done' },
    },
    `scan the command ledger in ${tableName}`,
  );
  return items.flatMap((item) => {
    const command = commandRecordOf(item);
    return command ? [{ commandId: String(item.pk).slice(COMMAND_KEY_PREFIX.length), command }] : [];
  });
};

/** The reconciliation runs on record (kept 14 days), the latest first. */
export const listReconcileRuns = async (conn: Conn, limit: number): Promise<ReconcileRun[]> => {
  const tableName = resourceNames(conn.stage).table('coordination');
  const items = await scanAll(
    conn,
    {
      TableName: tableName,
      FilterExpression: 'begins_with(pk, :run) AND attribute_exists(runId)',
      ExpressionAttributeValues: { ':run': 'RECONCILE#' },
      ProjectionExpression: 'runId, since, #until, requestedBy, #status, requestedAt, startedAt, updatedAt, checked, inSync, inFlight, drifted, repaired, unreadable',
      ExpressionAttributeNames: { '#until': 'until', '#status': 'status' },
    },
    `list the reconciliation runs in ${tableName}`,
  );
  const runs = items as unknown as ReconcileRun[];
  const startOf = (run: ReconcileRun) => run.startedAt ?? run.requestedAt ?? run.updatedAt;
  return runs.sort((a, b) => startOf(b).localeCompare(startOf(a))).slice(0, limit);
};

/** The shared items of the ERP gate (`functions/shared/erp.ts` names them `erp`). */
export const readErpGateItems = async (conn: Conn) => {
  const tableName = resourceNames(conn.stage).table('coordination');
  try {
    const get = async (pk: string) => (await documentsOf(conn).send(new GetCommand({ TableName: tableName, Key: { pk }, ConsistentRead: true }))).Item;
    return { breaker: await get('BREAKER#erp'), budget: await get('RATE#erp') };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) throw new OpsError(`No table ${tableName}: is stage "${conn.stage}" deployed (or the local stack running)?`);
    throw explainAwsError(error, `read the ERP breaker and budget from ${tableName}`);
  }
};

import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../core/errors';
import type { WorkflowHistoryEntry, WorkflowStore, WorkflowSummary, WorkflowWaits } from '../core/ports/workflow-tasks';

/** Name of the index that lists workflows by state (`stateKey` = `STATE#<state>`, sorted by `updatedAt`). */
export const WORKFLOWS_BY_STATE_INDEX = 'by-state';

const workflowKey = (workflowId: string) => `WORKFLOW#${workflowId}`;

const encodeCursor = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);
const decodeCursor = (cursor: string | undefined, stateKey: string) => {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key?.stateKey !== stateKey) throw new Error('foreign cursor');
    return key as Record<string, unknown>;
  } catch {
    throw new ValidationError('The cursor is not one this listing gave out; start again without it.');
  }
};

/**
 * Workflows in one DynamoDB table (`pk`, `sk`): per workflow a summary (`SUMMARY`), its history
 * (`H#<state entered at>#<milestone>`, written once) and the token of a parked workflow (`PARKED`);
 * per return authorization the token of the workflow waiting for it (`RETURN#<reference>`).
 */
export const makeDynamoDbWorkflowStore = (client: DynamoDBClient, tableName: string): WorkflowStore & WorkflowWaits => {
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const get = async (pk: string, sk: string) => (await documents.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;
  const remove = (pk: string, sk: string) => documents.send(new DeleteCommand({ TableName: tableName, Key: { pk, sk } }));
  const summaryOf = ({ pk: _pk, sk: _sk, stateKey: _stateKey, ...summary }: Record<string, unknown>) => summary as unknown as WorkflowSummary;

  return {
    async recordTransition(transition, enteredAt) {
      const entry: WorkflowHistoryEntry = {
        at: transition.occurredAt,
        milestone: transition.milestone,
        state: transition.state,
        actor: transition.actor,
        cause: transition.cause,
        ...(transition.erpDocument ? { erpDocument: transition.erpDocument } : {}),
      };
      try {
        // Keyed by when the workflow entered the milestone's state, which a redelivery or retry keeps.
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: workflowKey(transition.workflowId), sk: `H#${enteredAt}#${transition.milestone}`, ...entry },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'duplicate';
        throw error;
      }
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: workflowKey(transition.workflowId), sk: 'SUMMARY' },
          UpdateExpression:
            'SET workflowId = :id, workflow = :workflow, caseId = :caseId, orderId = :orderId, #state = :state, stateKey = :stateKey, milestone = :milestone, ' +
            'updatedAt = :at, startedAt = if_not_exists(startedAt, :at), erpDocuments = list_append(if_not_exists(erpDocuments, :none), :documents)' +
            (transition.resolution ? ', resolution = :resolution' : '') +
            (transition.exception ? ', #exception = :exception' : '') +
            (transition.slaDueAt ? ', slaDueAt = :slaDueAt' : '') +
            (transition.region ? ', #region = :region' : '') +
            (transition.brand ? ', brand = :brand' : ''),
          ExpressionAttributeNames: {
            '#state': 'state',
            ...(transition.exception ? { '#exception': 'exception' } : {}),
            ...(transition.region ? { '#region': 'region' } : {}),
          },
          ExpressionAttributeValues: {
            ':id': transition.workflowId,
            ':workflow': transition.workflow,
            ':caseId': transition.caseId,
            ':orderId': transition.orderId,
            ':state': transition.state,
            ':stateKey': `STATE#${transition.state}`,
            ':milestone': transition.milestone,
            ':at': transition.occurredAt,
            ':none': [],
            ':documents': transition.erpDocument ? [transition.erpDocument] : [],
            ...(transition.resolution ? { ':resolution': transition.resolution } : {}),
            ...(transition.exception ? { ':exception': transition.exception } : {}),
            ...(transition.slaDueAt ? { ':slaDueAt': transition.slaDueAt } : {}),
            ...(transition.region ? { ':region': transition.region } : {}),
            ...(transition.brand ? { ':brand': transition.brand } : {}),
          },
        }),
      );
      return 'recorded';
    },

    async get(workflowId) {
      const items = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': workflowKey(workflowId) }, ConsistentRead: true, ExclusiveStartKey: startKey }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      const summary = items.find((item) => item.sk === 'SUMMARY');
      if (!summary) return undefined;
      const history = items
        .filter((item) => String(item.sk).startsWith('H#'))
        .map(({ at, milestone, state, actor, cause, erpDocument }) => ({ at, milestone, state, actor, cause, ...(erpDocument ? { erpDocument } : {}) }) as WorkflowHistoryEntry);
      return { summary: summaryOf(summary), history };
    },

    async listByState(state, limit, cursor) {
      const stateKey = `STATE#${state}`;
      const page = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: WORKFLOWS_BY_STATE_INDEX,
          KeyConditionExpression: 'stateKey = :stateKey',
          ExpressionAttributeValues: { ':stateKey': stateKey },
          Limit: limit,
          ExclusiveStartKey: decodeCursor(cursor, stateKey),
        }),
      );
      return { workflows: (page.Items ?? []).map(summaryOf), nextCursor: encodeCursor(page.LastEvaluatedKey) };
    },

    async markSlaBreached(workflowId, at) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: workflowKey(workflowId), sk: 'SUMMARY' },
            UpdateExpression: 'SET slaBreachedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(slaBreachedAt)',
            ExpressionAttributeValues: { ':at': at },
          }),
        );
        return 'marked';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'already';
        throw error;
      }
    },

    async awaitReturn(returnReference, taskToken, workflowId) {
      await documents.send(new PutCommand({ TableName: tableName, Item: { pk: `RETURN#${returnReference}`, sk: 'WAIT', taskToken, workflowId } }));
    },
    async returnWait(returnReference) {
      const item = await get(`RETURN#${returnReference}`, 'WAIT');
      return item ? { taskToken: item.taskToken as string, workflowId: item.workflowId as string } : undefined;
    },
    async recordReceipt(returnReference, receivedAt) {
      await documents.send(new PutCommand({ TableName: tableName, Item: { pk: `RETURN#${returnReference}`, sk: 'RECEIVED', receivedAt } }));
    },
    async receipt(returnReference) {
      const item = await get(`RETURN#${returnReference}`, 'RECEIVED');
      return item ? { receivedAt: item.receivedAt as string } : undefined;
    },
    async clearReturnWait(returnReference) {
      await remove(`RETURN#${returnReference}`, 'WAIT');
    },
    async park(workflowId, taskToken, exception) {
      await documents.send(new PutCommand({ TableName: tableName, Item: { pk: workflowKey(workflowId), sk: 'PARKED', taskToken, exception, parkedAt: new Date().toISOString() } }));
    },
    async parked(workflowId) {
      const item = await get(workflowKey(workflowId), 'PARKED');
      return item ? { taskToken: item.taskToken as string, exception: item.exception as WorkflowSummary['exception'] & object, parkedAt: item.parkedAt as string } : undefined;
    },
    async clearParked(workflowId) {
      await remove(workflowKey(workflowId), 'PARKED');
    },
  };
};

import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { summariseDrift, type ReconcileRun, type ReconcileRunStore } from '../reconciler/reconcile';

/** Drifts and unreadable orders a run record keeps in full; counts go on beyond these. */
const MAX_LISTED = 100;
const RETENTION_SECONDS = 14 * 24 * 3600;

const runKey = (runId: string) => ({ pk: `RECONCILE#${runId}` });

/**
 * Reconciliation runs in the coordination table, one item per run (expiring after 14 days). Each
 * invocation adds its counts once: the pages it covered are a set on the item, and the update is
 * conditional on the page not being in it, so a retried invocation is not counted twice.
 */
export const makeDynamoDbReconcileRunStore = (client: DynamoDBClient, tableName: string): ReconcileRunStore => {
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const read = async (runId: string) =>
    (await documents.send(new GetCommand({ TableName: tableName, Key: runKey(runId), ConsistentRead: true }))).Item as
      | (ReconcileRun & { pages?: Set<string>; handedOnSlices?: Set<string> })
      | undefined;

  return {
    async progress(runId) {
      const item = await read(runId);
      return { repaired: item?.repaired ?? 0, recorded: [...(item?.pages ?? [])], handedOn: [...(item?.handedOnSlices ?? [])], finished: item?.status === 'done' };
    },

    async handedOn(runId, sliceKey) {
      await documents.send(
        new UpdateCommand({ TableName: tableName, Key: runKey(runId), UpdateExpression: 'ADD handedOnSlices :slice', ExpressionAttributeValues: { ':slice': new Set([sliceKey]) } }),
      );
    },

    async record(request, report, at) {
      const existing = await read(request.runId);
      if (existing?.pages?.has(report.pageKey)) return 'already-recorded';
      const room = (listed: unknown[] | undefined) => Math.max(0, MAX_LISTED - (listed?.length ?? 0));
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(request.runId),
            UpdateExpression: [
              'SET runId = :runId, since = :since, #until = :until, requestedBy = :requestedBy, startedAt = if_not_exists(startedAt, :at),',
              'updatedAt = :at, #status = :status, expiresAt = :expiresAt,',
              'drifts = list_append(if_not_exists(drifts, :empty), :drifts), unreadableOrders = list_append(if_not_exists(unreadableOrders, :empty), :unreadableOrders)',
              'ADD checked :checked, inSync :inSync, inFlight :inFlight, drifted :drifted, repaired :repaired, unreadable :unreadable, pages :page',
            ].join(' '),
            ConditionExpression: 'attribute_not_exists(pk) OR NOT contains(pages, :pageKey)',
            ExpressionAttributeNames: { '#until': 'until', '#status': 'status' },
            ExpressionAttributeValues: {
              ':runId': request.runId,
              ':since': request.since,
              ':until': request.until,
              ':requestedBy': request.requestedBy,
              ':at': at.toISOString(),
              ':status': report.continueAt === undefined ? 'done' : 'running',
              ':expiresAt': Math.floor(at.getTime() / 1000) + RETENTION_SECONDS,
              ':empty': [],
              ':drifts': report.drifts.slice(0, room(existing?.drifts)).map(summariseDrift),
              ':unreadableOrders': report.unreadable.slice(0, room(existing?.unreadableOrders)),
              ':checked': report.checked,
              ':inSync': report.inSync,
              ':inFlight': report.inFlight,
              ':drifted': report.drifts.length,
              ':repaired': report.repaired,
              ':unreadable': report.unreadable.length,
              ':page': new Set([report.pageKey]),
              ':pageKey': report.pageKey,
            },
          }),
        );
        return 'recorded';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'already-recorded';
        throw error;
      }
    },

    async get(runId) {
      const item = await read(runId);
      if (!item) return undefined;
      const { pages: _pages, handedOnSlices: _handedOn, pk: _pk, expiresAt: _expiresAt, ...run } = item as ReconcileRun & {
        pages?: Set<string>;
        handedOnSlices?: Set<string>;
        pk?: string;
        expiresAt?: number;
      };
      return run;
    },
  };
};

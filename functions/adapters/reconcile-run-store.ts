import { createHash } from 'node:crypto';
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReconcileRunStore } from '../core/ports/reconcile-run-store';
import { summariseDrift, type ReconcileRun, type SliceRecord } from '../core/reconciliation/reconcile-run';

/** Drifts and unreadable orders a run record keeps in full; counts go on beyond these. */
const MAX_LISTED = 100;
const RETENTION_SECONDS = 14 * 24 * 3600;

const runKey = (runId: string) => ({ pk: `RECONCILE#${runId}` });
/** One small item per slice (its key hashed: a slice key holds the ERP's next-page URL), so a run of any length fits. */
const sliceItemKey = (runId: string, sliceKey: string) => ({ pk: `RECONCILE#${runId}#SLICE#${createHash('sha256').update(sliceKey).digest('hex').slice(0, 32)}` });

/**
 * Reconciliation runs in the coordination table (expiring after 14 days): one item per run with its
 * counts and first drifts, and one item per slice saying where the run goes on. A slice is recorded and
 * its counts added in one transaction conditional on the slice item not existing, so a slice retried or
 * delivered twice is counted once.
 */
export const makeDynamoDbReconcileRunStore = (client: DynamoDBClient, tableName: string): ReconcileRunStore => {
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const read = async (key: Record<string, string>) => (await documents.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  return {
    async progress(runId) {
      return { repaired: ((await read(runKey(runId))) as ReconcileRun | undefined)?.repaired ?? 0 };
    },

    async slice(runId, sliceKey) {
      const item = await read(sliceItemKey(runId, sliceKey));
      return item ? ({ handedOn: item.handedOn === true, ...(item.continueAt ? { continueAt: item.continueAt } : {}) } as SliceRecord) : undefined;
    },

    async record(request, report, at) {
      const existing = (await read(runKey(request.runId))) as ReconcileRun | undefined;
      const room = (listed: unknown[] | undefined) => Math.max(0, MAX_LISTED - (listed?.length ?? 0));
      const expiresAt = Math.floor(at.getTime() / 1000) + RETENTION_SECONDS;
      try {
        await documents.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...sliceItemKey(request.runId, report.pageKey), sliceKey: report.pageKey, continueAt: report.continueAt, handedOn: false, recordedAt: at.toISOString(), expiresAt },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: runKey(request.runId),
                  UpdateExpression: [
                    'SET runId = :runId, since = :since, #until = :until, requestedBy = :requestedBy, startedAt = if_not_exists(startedAt, :at),',
                    'updatedAt = :at, #status = :status, expiresAt = :expiresAt,',
                    'drifts = list_append(if_not_exists(drifts, :empty), :drifts), unreadableOrders = list_append(if_not_exists(unreadableOrders, :empty), :unreadableOrders)',
                    'ADD checked :checked, inSync :inSync, inFlight :inFlight, drifted :drifted, repaired :repaired, unreadable :unreadable',
                  ].join(' '),
                  ExpressionAttributeNames: { '#until': 'until', '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':runId': request.runId,
                    ':since': request.since,
                    ':until': request.until,
                    ':requestedBy': request.requestedBy,
                    ':at': at.toISOString(),
                    ':status': report.continueAt === undefined ? 'done' : 'running',
                    ':expiresAt': expiresAt,
                    ':empty': [],
                    ':drifts': report.drifts.slice(0, room(existing?.drifts)).map(summariseDrift),
                    ':unreadableOrders': report.unreadable.slice(0, room(existing?.unreadableOrders)),
                    ':checked': report.checked,
                    ':inSync': report.inSync,
                    ':inFlight': report.inFlight,
                    ':drifted': report.drifts.length,
                    ':repaired': report.repaired,
                    ':unreadable': report.unreadable.length,
                  },
                },
              },
            ],
          }),
        );
        return 'recorded';
      } catch (error) {
        if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'already-recorded';
        throw error;
      }
    },

    async requested(request, at) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: runKey(request.runId),
          UpdateExpression:
            'SET runId = :runId, since = :since, #until = :until, requestedBy = :requestedBy, requestedAt = if_not_exists(requestedAt, :at), ' +
            '#status = if_not_exists(#status, :requested), updatedAt = if_not_exists(updatedAt, :at), expiresAt = if_not_exists(expiresAt, :expiresAt), ' +
            'checked = if_not_exists(checked, :zero), inSync = if_not_exists(inSync, :zero), inFlight = if_not_exists(inFlight, :zero), drifted = if_not_exists(drifted, :zero), ' +
            'repaired = if_not_exists(repaired, :zero), unreadable = if_not_exists(unreadable, :zero), drifts = if_not_exists(drifts, :empty), unreadableOrders = if_not_exists(unreadableOrders, :empty)',
          ExpressionAttributeNames: { '#until': 'until', '#status': 'status' },
          ExpressionAttributeValues: {
            ':runId': request.runId,
            ':since': request.since,
            ':until': request.until,
            ':requestedBy': request.requestedBy,
            ':at': at.toISOString(),
            ':requested': 'requested',
            ':expiresAt': Math.floor(at.getTime() / 1000) + RETENTION_SECONDS,
            ':zero': 0,
            ':empty': [],
          },
        }),
      );
    },

    async handedOn(runId, sliceKey) {
      await documents.send(new UpdateCommand({ TableName: tableName, Key: sliceItemKey(runId, sliceKey), UpdateExpression: 'SET handedOn = :yes', ExpressionAttributeValues: { ':yes': true } }));
    },

    async get(runId) {
      const item = await read(runKey(runId));
      if (!item) return undefined;
      const { pk: _pk, expiresAt: _expiresAt, ...run } = item as ReconcileRun & { pk?: string; expiresAt?: number };
      return run;
    },
  };
};

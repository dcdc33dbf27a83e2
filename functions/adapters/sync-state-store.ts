import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApplyOutcome, SyncStateBatches, SyncStateStore } from '../core/ports/sync-state-store';
import type { OrderSyncRecord } from '../core/sync-state';

const orderKey = (orderId: string) => ({ pk: `ORDER#${orderId}` });

/** The sync record an item holds. */
/** BatchGetItem takes at most 100 keys a call. */
const MAX_KEYS_PER_BATCH_GET = 100;
/** Guarded desk-side writes one `recordServiceDeskStatuses` keeps in flight. */
const WRITES_AT_ONCE = 16;

/**
 * Sync state in DynamoDB, one item per order. Each side (ERP, service desk) is written under a
 * version guard, so a stale or out-of-order update never overwrites a newer one.
 */
export const makeDynamoDbSyncStateStore = (client: DynamoDBClient, tableName: string): SyncStateStore & SyncStateBatches => {
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  const guardedUpdate = async (input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<ApplyOutcome> => {
    try {
      await documents.send(new UpdateCommand(input));
      return 'applied';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'stale';
      throw error;
    }
  };

  /** The desk side's write under its version guard. */
  const deskUpdate = (orderId: string, shown: { status: string; version: number; caseIds: string[]; verified: boolean }, at: Date) => ({
    TableName: tableName,
    Key: orderKey(orderId),
    UpdateExpression:
      'SET entityType = :type, orderId = :orderId, deskStatus = :status, deskVersion = :version, deskCaseIds = :caseIds, deskUpdatedAt = :at, deskVerified = :verified' +
      (shown.verified ? ', deskVerifiedAt = :at' : ''),
    // The same version again is news only as a verification, or as the loss of one (or of the status).
    ConditionExpression: shown.verified
      ? 'attribute_not_exists(deskVersion) OR deskVersion <= :version'
      : 'attribute_not_exists(deskVersion) OR deskVersion < :version OR (deskVersion = :version AND (deskVerified = :true OR deskStatus <> :status))',
    ExpressionAttributeValues: {
      ':type': 'order',
      ':orderId': orderId,
      ':status': shown.status,
      ':version': shown.version,
      ':caseIds': shown.caseIds,
      ':at': at.toISOString(),
      ':verified': shown.verified,
      ...(shown.verified ? {} : { ':true': true }),
    },
  });

  return {
    recordErpStatus: (snapshot, eventId, at) =>
      guardedUpdate({
        TableName: tableName,
        Key: orderKey(snapshot.orderId),
        UpdateExpression:
          'SET entityType = :type, orderId = :orderId, erpStatus = :status, erpVersion = :version, erpOccurredAt = :occurredAt, erpUpdatedAt = :at, erpEventId = :eventId',
        ConditionExpression: 'attribute_not_exists(erpVersion) OR erpVersion < :version',
        ExpressionAttributeValues: {
          ':type': 'order',
          ':orderId': snapshot.orderId,
          ':status': snapshot.status,
          ':version': snapshot.version,
          ':occurredAt': snapshot.occurredAt,
          ':at': at.toISOString(),
          ':eventId': eventId,
        },
      }),

    recordServiceDeskStatus: (orderId, shown, at) => guardedUpdate(deskUpdate(orderId, shown, at)),

    async recordServiceDeskStatuses(entries) {
      // Each under its own guard, a few at once. (A transaction would take 100 in one call, at twice the write
      // cost, and the local emulator copies the whole table for each of its items.)
      const outcomes: ApplyOutcome[] = [];
      for (let start = 0; start < entries.length; start += WRITES_AT_ONCE) {
        outcomes.push(...(await Promise.all(entries.slice(start, start + WRITES_AT_ONCE).map(({ orderId, shown, at }) => guardedUpdate(deskUpdate(orderId, shown, at))))));
      }
      return outcomes;
    },

    async getOrder(orderId) {
      const { Item: item } = await documents.send(new GetCommand({ TableName: tableName, Key: orderKey(orderId), ConsistentRead: true }));
      return item ? orderSyncRecordOf(item) : undefined;
    },

    async getOrders(orderIds) {
      const records = new Map<string, OrderSyncRecord>();
      const unique = [...new Set(orderIds)];
      for (let start = 0; start < unique.length; start += MAX_KEYS_PER_BATCH_GET) {
        let keys: Array<Record<string, unknown>> | undefined = unique.slice(start, start + MAX_KEYS_PER_BATCH_GET).map(orderKey);
        // DynamoDB may leave keys unprocessed (throughput, 16 MB per answer): ask for those again.
        for (let attempt = 0; keys && keys.length > 0; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
          const answer: BatchGetCommandOutput = await documents.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
          for (const item of answer.Responses?.[tableName] ?? []) {
            const record = orderSyncRecordOf(item);
            records.set(record.orderId, record);
          }
          keys = answer.UnprocessedKeys?.[tableName]?.Keys;
        }
      }
      return records;
    },
  };
};

/** The sync state of one order from its item (`ORDER#<id>`), as `getOrder` and the ops scans read it. */
export const orderSyncRecordOf = (item: Record<string, any>): OrderSyncRecord => {
  const record: OrderSyncRecord = { orderId: item.orderId ?? String(item.pk).slice('ORDER#'.length) };
  if (item.erpVersion !== undefined) {
    record.erp = {
      status: item.erpStatus,
      version: item.erpVersion,
      occurredAt: item.erpOccurredAt,
      updatedAt: item.erpUpdatedAt,
      eventId: item.erpEventId,
    };
  }
  if (item.deskVersion !== undefined) {
    // An item written before verification was recorded was never verified.
    record.serviceDesk = {
      status: item.deskStatus,
      version: item.deskVersion,
      updatedAt: item.deskUpdatedAt,
      caseIds: item.deskCaseIds ?? [],
      verified: item.deskVerified === true,
      ...(item.deskVerifiedAt !== undefined ? { verifiedAt: item.deskVerifiedAt } : {}),
    };
  }
  return record;
};

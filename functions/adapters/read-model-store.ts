import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../core/errors';
import type { ReadModelStore } from '../core/ports/read-model-store';
import type { StoredInventoryLevel, TimelineEntry } from '../core/read-models';

const encodeCursor = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);
const decodeCursor = (cursor: string | undefined, pk: string) => {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key?.pk !== pk || typeof key.sk !== 'string') throw new Error('foreign cursor');
    return key as Record<string, unknown>;
  } catch {
    throw new ValidationError('The cursor is not one this endpoint gave out; start again without it.');
  }
};

/** Agent read models in one DynamoDB table (`pk`, `sk`): timelines, aliases, order owners, inventory. */
export const makeDynamoDbReadModelStore = (client: DynamoDBClient, tableName: string): ReadModelStore => {
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const get = async (pk: string, sk: string, consistent = false) =>
    (await documents.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: consistent }))).Item;
  const parkedKey = (orderId: string, entry: TimelineEntry) => ({ pk: `ORDER#${orderId}`, sk: `PARKED#${entry.occurredAt}#${entry.eventId}` });
  const put = (item: Record<string, unknown>) => documents.send(new PutCommand({ TableName: tableName, Item: item }));

  return {
    async putTimelineEntry(customerKey, entry) {
      await put({ pk: `CUSTOMER#${customerKey}`, sk: `T#${entry.occurredAt}#${entry.eventId}`, ...entry });
    },
    async timeline(customerKey, limit, cursor) {
      const pk = `CUSTOMER#${customerKey}`;
      const result = await documents.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': 'T#' },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: decodeCursor(cursor, pk),
        }),
      );
      const entries = (result.Items ?? []).map(({ pk: _pk, sk: _sk, ...entry }) => entry as TimelineEntry);
      return { entries, nextCursor: encodeCursor(result.LastEvaluatedKey) };
    },
    async putAlias(alias, customerKey) {
      await put({ pk: `ALIAS#${alias}`, sk: 'ALIAS', customerKey });
    },
    async putAliasIfAbsent(alias, customerKey) {
      try {
        await documents.send(new PutCommand({ TableName: tableName, Item: { pk: `ALIAS#${alias}`, sk: 'ALIAS', customerKey }, ConditionExpression: 'attribute_not_exists(pk)' }));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async resolveAlias(alias) {
      return (await get(`ALIAS#${alias}`, 'ALIAS'))?.customerKey as string | undefined;
    },
    async putOrderCustomer(orderId, customerKey) {
      await put({ pk: `ORDER#${orderId}`, sk: 'CUSTOMER', customerKey });
    },
    async orderCustomer(orderId) {
      return (await get(`ORDER#${orderId}`, 'CUSTOMER', true))?.customerKey as string | undefined;
    },
    async parkTimelineEntry(orderId, entry, alias) {
      await put({ ...parkedKey(orderId, entry), entry, alias });
    },
    async parkedTimelineEntries(orderId) {
      const parked: Array<{ entry: TimelineEntry; alias?: string }> = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':prefix': 'PARKED#' },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        parked.push(...(page.Items ?? []).map((item) => ({ entry: item.entry as TimelineEntry, ...(item.alias ? { alias: item.alias as string } : {}) })));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return parked;
    },
    async removeParkedTimelineEntry(orderId, entry) {
      await documents.send(new DeleteCommand({ TableName: tableName, Key: parkedKey(orderId, entry) }));
    },
    async putInventoryLevel(level) {
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `SKU#${level.sku}`, sk: `LOC#${level.location}`, ...level },
            ConditionExpression: 'attribute_not_exists(asOf) OR asOf < :asOf',
            ExpressionAttributeValues: { ':asOf': level.asOf },
          }),
        );
        return 'applied';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'stale';
        throw error;
      }
    },
    async inventory(sku, location) {
      const result = await documents.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: location ? 'pk = :pk AND sk = :sk' : 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: { ':pk': `SKU#${sku}`, ':sk': location ? `LOC#${location}` : 'LOC#' },
        }),
      );
      return (result.Items ?? []).map(({ pk: _pk, sk: _sk, ...level }) => level as StoredInventoryLevel);
    },
  };
};

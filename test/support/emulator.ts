import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { emulatorEnvironment } from '../../local/emulator';

/** Points the AWS SDK of this test file at the shared emulator. */
export const useEmulator = (): string => {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run the tests through jest (its global setup starts the emulator).');
  Object.assign(process.env, emulatorEnvironment(endpoint));
  return endpoint;
};

/** A stage name unique to this test file, so files sharing the emulator never see each other's resources. */
export const uniqueStage = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;

export const eventually = async <T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000, intervalMs = 100): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    last = await probe();
  }
  return last;
};

/** Creates an on-demand table with string keys in the emulator, and any global secondary indexes (all attributes projected). */
export const createTable = async (
  client: DynamoDBClient,
  tableName: string,
  keys: { partitionKey: string; sortKey?: string; indexes?: Array<{ name: string; partitionKey: string; sortKey?: string }> },
) => {
  const keySchema = (partitionKey: string, sortKey?: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  const attributes = new Set([keys.partitionKey, keys.sortKey, ...(keys.indexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey])].filter((name): name is string => Boolean(name)));
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
      KeySchema: keySchema(keys.partitionKey, keys.sortKey),
      ...(keys.indexes?.length
        ? { GlobalSecondaryIndexes: keys.indexes.map((index) => ({ IndexName: index.name, KeySchema: keySchema(index.partitionKey, index.sortKey), Projection: { ProjectionType: 'ALL' as const } })) }
        : {}),
    }),
  );
};

/** Creates an on-demand table keyed by one string attribute in the emulator. */
export const createHashKeyTable = (client: DynamoDBClient, tableName: string, key: string) => createTable(client, tableName, { partitionKey: key });

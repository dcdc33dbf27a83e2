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

/** Creates an on-demand table keyed by one string attribute in the emulator. */
export const createHashKeyTable = async (client: DynamoDBClient, tableName: string, key: string) => {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
    }),
  );
};

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbDeliveryLedger } from '../../../functions/adapters/delivery-ledger';
import { DeliveryConflictError } from '../../../functions/core/errors';
import { makeLambdaContext } from '../../../local/lambda-context';
import { createHashKeyTable, eventually, uniqueStage, useEmulator } from '../../support/emulator';

describe('DynamoDB delivery ledger (Powertools idempotency) against the emulator', () => {
  let client: DynamoDBClient;
  let tableName: string;

  beforeAll(async () => {
    useEmulator();
    client = new DynamoDBClient({});
    tableName = `${uniqueStage('ledger')}-idempotency`;
    await createHashKeyTable(client, tableName, 'id');
  });
  afterAll(() => client.destroy());

  const ledger = () => {
    const instance = makeDynamoDbDeliveryLedger(client, tableName);
    instance.registerLambdaContext(makeLambdaContext('ledger-test', 10, 256));
    return instance;
  };

  it('runs the effect once and answers later calls as duplicates with the first result', async () => {
    // Prepare
    const effects: number[] = [];
    const first = await ledger().acceptOnce('erp#msg_a', 'f1', async () => ({ eventId: `evt_${effects.push(1)}` }));

    // Act
    const again = await ledger().acceptOnce('erp#msg_a', 'f1', async () => ({ eventId: `evt_${effects.push(1)}` }));

    // Assess
    expect(first).toEqual({ result: { eventId: 'evt_1' }, duplicate: false });
    expect(again).toEqual({ result: { eventId: 'evt_1' }, duplicate: true });
    expect(effects).toHaveLength(1);
  });

  it('runs the effect exactly once under concurrent duplicates, telling the others to retry', async () => {
    // Prepare: the effect holds until every other attempt has answered, so each of them overlaps it.
    const duplicates = 8;
    let effects = 0;
    let answered = 0;
    const effect = async () => {
      effects++;
      await eventually(async () => answered, (count) => count === duplicates - 1, 5_000, 10);
      return { eventId: 'evt_c' };
    };

    // Act
    const attempts = await Promise.allSettled(
      Array.from({ length: duplicates }, () => ledger().acceptOnce('erp#msg_concurrent', 'f', effect).finally(() => answered++)),
    );

    // Assess
    expect(effects).toBe(1);
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled').map((attempt) => attempt.value)).toEqual([{ result: { eventId: 'evt_c' }, duplicate: false }]);
    const rejected = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
    expect(rejected.map((attempt) => attempt.reason.name)).toEqual(Array(duplicates - 1).fill('DeliveryInProgressError'));
  });

  it('refuses the same key with a different fingerprint', async () => {
    // Prepare
    await ledger().acceptOnce('erp#msg_b', 'f1', async () => ({ eventId: 'x' }));

    // Act
    const reused = ledger().acceptOnce('erp#msg_b', 'f2', async () => ({ eventId: 'y' }));

    // Assess
    await expect(reused).rejects.toBeInstanceOf(DeliveryConflictError);
  });

  it('forgets a delivery whose effect failed, so the retry runs it', async () => {
    // Prepare
    await expect(ledger().acceptOnce('erp#msg_c', 'f', async () => Promise.reject(new Error('bus down')))).rejects.toThrow('bus down');

    // Act
    const retry = await ledger().acceptOnce('erp#msg_c', 'f', async () => ({ eventId: 'evt_retry' }));

    // Assess
    expect(retry).toEqual({ result: { eventId: 'evt_retry' }, duplicate: false });
  });
});

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbDeliveryLedger } from '../../../functions/adapters/delivery-ledger';
import { DeliveryConflictError } from '../../../functions/core/errors';
import { makeLambdaContext } from '../../../local/lambda-context';
import { createHashKeyTable, uniqueStage, useEmulator } from '../../support/emulator';

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
    const effects: number[] = [];
    const first = await ledger().acceptOnce('erp#msg_a', 'f1', async () => ({ eventId: `evt_${effects.push(1)}` }));
    const again = await ledger().acceptOnce('erp#msg_a', 'f1', async () => ({ eventId: `evt_${effects.push(1)}` }));
    expect(first).toEqual({ result: { eventId: 'evt_1' }, duplicate: false });
    expect(again).toEqual({ result: { eventId: 'evt_1' }, duplicate: true });
    expect(effects).toHaveLength(1);
  });

  it('runs the effect exactly once under concurrent duplicates', async () => {
    let effects = 0;
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        ledger().acceptOnce('erp#msg_concurrent', 'f', async () => {
          effects++;
          await new Promise((resolve) => setTimeout(resolve, 200));
          return { eventId: 'evt_c' };
        }),
      ),
    );
    expect(effects).toBe(1);
    const fulfilled = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const rejected = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
    expect(fulfilled.filter((attempt) => !attempt.value.duplicate)).toHaveLength(1);
    // The others either saw the completed record or were told to retry: none ran the effect.
    for (const attempt of rejected) expect(attempt.reason.name).toBe('DeliveryInProgressError');
  });

  it('refuses the same key with a different fingerprint', async () => {
    await ledger().acceptOnce('erp#msg_b', 'f1', async () => ({ eventId: 'x' }));
    await expect(ledger().acceptOnce('erp#msg_b', 'f2', async () => ({ eventId: 'y' }))).rejects.toBeInstanceOf(DeliveryConflictError);
  });

  it('forgets a delivery whose effect failed, so the retry runs it', async () => {
    await expect(ledger().acceptOnce('erp#msg_c', 'f', async () => Promise.reject(new Error('bus down')))).rejects.toThrow('bus down');
    const retry = await ledger().acceptOnce('erp#msg_c', 'f', async () => ({ eventId: 'evt_retry' }));
    expect(retry).toEqual({ result: { eventId: 'evt_retry' }, duplicate: false });
  });
});

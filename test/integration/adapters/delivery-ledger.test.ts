import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbDeliveryLedger, makeDynamoDbDeliveryLedgerReader } from '../../../functions/adapters/delivery-ledger';
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

  describe('reader', () => {
    const keyPrefix = 'retail-sync-ledger-webhookIngest';
    const prefixed = () => {
      const instance = makeDynamoDbDeliveryLedger(client, tableName, { keyPrefix });
      instance.registerLambdaContext(makeLambdaContext('ledger-test', 10, 256));
      return instance;
    };
    const reader = () => makeDynamoDbDeliveryLedgerReader(client, tableName, { keyPrefix });

    it('finds an accepted delivery by its key, with what accepting it returned', async () => {
      // Prepare
      await prefixed().acceptOnce('erp#msg_read', 'f', async () => ({ eventId: 'evt_r', orderIds: ['SO-R'] }));

      // Act
      const record = await reader().find('erp#msg_read');

      // Assess
      expect(record).toEqual({ status: 'accepted', result: { eventId: 'evt_r', orderIds: ['SO-R'] }, expiresAt: expect.any(String) });
      expect(await reader().find('erp#msg_never')).toBeUndefined();
    });

    it('finds deliveries by a value their result lists, only under its own key prefix', async () => {
      // Prepare
      await prefixed().acceptOnce('erp#msg_scan_1', 'f', async () => ({ eventIds: ['evt_s1'], orderIds: ['SO-S'] }));
      await prefixed().acceptOnce('erp#msg_scan_2', 'f', async () => ({ eventIds: ['evt_s2'], orderIds: ['SO-S', 'SO-T'] }));
      await ledger().acceptOnce('erp#msg_scan_3', 'f', async () => ({ eventIds: ['evt_s3'], orderIds: ['SO-S'] }));

      // Act
      const byOrder = await reader().findByResult('orderIds', 'SO-S');
      const byEvent = await reader().findByResult('eventIds', 'evt_s2');

      // Assess
      expect(byOrder.map((record) => record.result?.eventIds).sort()).toEqual([['evt_s1'], ['evt_s2']]);
      expect(byEvent.map((record) => record.result?.orderIds)).toEqual([['SO-S', 'SO-T']]);
    });
  });
});

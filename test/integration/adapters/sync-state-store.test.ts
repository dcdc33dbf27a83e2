import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbSyncStateStore } from '../../../functions/adapters/sync-state-store';
import { createHashKeyTable, uniqueStage, useEmulator } from '../../support/emulator';

describe('DynamoDB sync state store against the emulator', () => {
  let client: DynamoDBClient;
  let store: ReturnType<typeof makeDynamoDbSyncStateStore>;
  const at = new Date('2026-11-27T10:00:00Z');
  const snapshot = (version: number, status = 'confirmed') => ({ orderId: 'SO-1', status: status as never, version, occurredAt: '2026-11-27T09:00:00Z' });

  beforeAll(async () => {
    useEmulator();
    client = new DynamoDBClient({});
    const tableName = `${uniqueStage('sync')}-sync-state`;
    await createHashKeyTable(client, tableName, 'pk');
    store = makeDynamoDbSyncStateStore(client, tableName);
  });
  afterAll(() => client.destroy());

  it('returns undefined for an order never seen', async () => {
    expect(await store.getOrder('never')).toBeUndefined();
  });

  it('applies newer ERP versions and ignores equal or older ones', async () => {
    expect(await store.recordErpStatus(snapshot(2, 'picking'), 'evt_2', at)).toBe('applied');
    expect(await store.recordErpStatus(snapshot(1, 'confirmed'), 'evt_1', at)).toBe('stale');
    expect(await store.recordErpStatus(snapshot(2, 'picking'), 'evt_2', at)).toBe('stale');
    expect(await store.recordErpStatus(snapshot(3, 'shipped'), 'evt_3', at)).toBe('applied');
    expect((await store.getOrder('SO-1'))?.erp).toEqual({ status: 'shipped', version: 3, occurredAt: '2026-11-27T09:00:00Z', updatedAt: at.toISOString(), eventId: 'evt_3' });
  });

  it('guards the service desk side independently of the ERP side', async () => {
    expect(await store.recordServiceDeskStatus('SO-1', { status: 'shipped', version: 3, caseIds: ['7'] }, at)).toBe('applied');
    expect(await store.recordServiceDeskStatus('SO-1', { status: 'picking', version: 2, caseIds: ['7'] }, at)).toBe('stale');
    const record = await store.getOrder('SO-1');
    expect(record?.serviceDesk).toEqual({ status: 'shipped', version: 3, updatedAt: at.toISOString(), caseIds: ['7'] });
    expect(record?.erp?.version).toBe(3);
  });

  it('lets exactly one of many concurrent writers of the same version win', async () => {
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => store.recordErpStatus({ ...snapshot(10), orderId: 'SO-race' }, 'evt', at)));
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(1);
  });
});

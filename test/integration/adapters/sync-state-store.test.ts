import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbSyncStateStore } from '../../../functions/adapters/sync-state-store';
import { createHashKeyTable, uniqueStage, useEmulator } from '../../support/emulator';

describe('DynamoDB sync state store against the emulator', () => {
  let client: DynamoDBClient;
  let store: ReturnType<typeof makeDynamoDbSyncStateStore>;
  let tableName: string;
  const at = new Date('2026-11-27T10:00:00Z');
  const later = (minutes: number) => new Date(at.getTime() + minutes * 60_000);
  const snapshot = (orderId: string, version: number, status = 'confirmed') => ({ orderId, status: status as never, version, occurredAt: '2026-11-27T09:00:00Z' });

  beforeAll(async () => {
    useEmulator();
    client = new DynamoDBClient({});
    tableName = `${uniqueStage('sync')}-sync-state`;
    await createHashKeyTable(client, tableName, 'pk');
    store = makeDynamoDbSyncStateStore(client, tableName);
  });
  afterAll(() => client.destroy());

  it('returns undefined for an order never seen', async () => {
    // Act
    const record = await store.getOrder('never');

    // Assess
    expect(record).toBeUndefined();
  });

  it('reads many orders in batches of 100, leaving out orders never seen', async () => {
    // Prepare
    const orderIds = Array.from({ length: 150 }, (_, i) => `SO-BATCH-${i}`);
    for (const orderId of orderIds) await store.recordErpStatus(snapshot(orderId, 2), `e-${orderId}`, at);
    await store.recordServiceDeskStatus('SO-BATCH-7', { status: 'confirmed', version: 2, caseIds: ['71'], verified: true }, at);

    // Act
    const records = await store.getOrders([...orderIds, 'SO-BATCH-never']);

    // Assess
    expect(records.size).toBe(150);
    expect(records.has('SO-BATCH-never')).toBe(false);
    expect(records.get('SO-BATCH-7')).toEqual(await store.getOrder('SO-BATCH-7'));
    expect(records.get('SO-BATCH-149')).toMatchObject({ orderId: 'SO-BATCH-149', erp: { version: 2 } });
  });

  it('records the desk side of many orders, each under its own guard', async () => {
    // Prepare: SO-TX-1 already holds a newer desk version, so its guard refuses.
    const orderIds = Array.from({ length: 120 }, (_, i) => `SO-TX-${i}`);
    await store.recordServiceDeskStatus('SO-TX-1', { status: 'shipped', version: 9, caseIds: ['1'], verified: true }, at);
    const shown = { status: 'confirmed' as const, version: 3, caseIds: ['7'], verified: true };

    // Act
    const outcomes = await store.recordServiceDeskStatuses(orderIds.map((orderId) => ({ orderId, shown, at: later(1) })));

    // Assess
    expect(outcomes.filter((outcome) => outcome === 'stale')).toHaveLength(1);
    expect(outcomes[1]).toBe('stale');
    expect((await store.getOrder('SO-TX-1'))!.serviceDesk).toMatchObject({ version: 9 });
    expect((await store.getOrder('SO-TX-0'))!.serviceDesk).toMatchObject({ version: 3, verified: true, verifiedAt: later(1).toISOString(), caseIds: ['7'] });
    expect((await store.getOrder('SO-TX-119'))!.serviceDesk).toMatchObject({ version: 3, verified: true });
  });

  it('applies a newer ERP version', async () => {
    // Prepare
    await store.recordErpStatus(snapshot('SO-newer', 2, 'picking'), 'evt_2', at);

    // Act
    const outcome = await store.recordErpStatus(snapshot('SO-newer', 3, 'shipped'), 'evt_3', at);

    // Assess
    expect(outcome).toBe('applied');
    expect((await store.getOrder('SO-newer'))?.erp).toEqual({ status: 'shipped', version: 3, occurredAt: '2026-11-27T09:00:00Z', updatedAt: at.toISOString(), eventId: 'evt_3' });
  });

  it.each([
    ['an older', 1],
    ['an equal', 2],
  ])('ignores %s ERP version', async (_name, version) => {
    // Prepare
    const orderId = `SO-stale-${version}`;
    await store.recordErpStatus(snapshot(orderId, 2, 'picking'), 'evt_2', at);

    // Act
    const outcome = await store.recordErpStatus(snapshot(orderId, version, 'confirmed'), `evt_${version}b`, at);

    // Assess
    expect(outcome).toBe('stale');
    expect((await store.getOrder(orderId))?.erp).toMatchObject({ status: 'picking', version: 2, eventId: 'evt_2' });
  });

  it('guards the service desk side independently of the ERP side', async () => {
    // Prepare
    await store.recordErpStatus(snapshot('SO-desk', 3, 'shipped'), 'evt_3', at);
    await store.recordServiceDeskStatus('SO-desk', { status: 'shipped', version: 3, caseIds: ['7'], verified: true }, at);

    // Act: an older version, even one verified, never moves the desk side back.
    const outcome = await store.recordServiceDeskStatus('SO-desk', { status: 'picking', version: 2, caseIds: ['7'], verified: true }, later(1));

    // Assess
    expect(outcome).toBe('stale');
    const record = await store.getOrder('SO-desk');
    expect(record?.serviceDesk).toEqual({ status: 'shipped', version: 3, updatedAt: at.toISOString(), caseIds: ['7'], verified: true, verifiedAt: at.toISOString() });
    expect(record?.erp?.version).toBe(3);
  });

  it('keeps when the desk side was last verified through a newer write that was not', async () => {
    // Prepare
    await store.recordServiceDeskStatus('SO-lost', { status: 'confirmed', version: 1, caseIds: ['7'], verified: true }, at);

    // Act
    const outcome = await store.recordServiceDeskStatus('SO-lost', { status: 'shipped', version: 2, caseIds: ['7'], verified: false }, later(1));

    // Assess
    expect(outcome).toBe('applied');
    expect((await store.getOrder('SO-lost'))?.serviceDesk).toEqual({ status: 'shipped', version: 2, updatedAt: later(1).toISOString(), caseIds: ['7'], verified: false, verifiedAt: at.toISOString() });
  });

  it('verifies a version already recorded unverified, and takes a verification again later', async () => {
    // Prepare
    await store.recordServiceDeskStatus('SO-verify', { status: 'shipped', version: 2, caseIds: ['7'], verified: false }, at);

    // Act
    const first = await store.recordServiceDeskStatus('SO-verify', { status: 'shipped', version: 2, caseIds: ['7'], verified: true }, later(1));
    const again = await store.recordServiceDeskStatus('SO-verify', { status: 'shipped', version: 2, caseIds: ['7'], verified: true }, later(2));

    // Assess
    expect([first, again]).toEqual(['applied', 'applied']);
    expect((await store.getOrder('SO-verify'))?.serviceDesk).toMatchObject({ version: 2, verified: true, verifiedAt: later(2).toISOString() });
  });

  it('takes the loss of a verified version, but ignores an unverified repeat of an unverified one', async () => {
    // Prepare
    await store.recordServiceDeskStatus('SO-demote', { status: 'shipped', version: 2, caseIds: ['7'], verified: true }, at);

    // Act
    const lost = await store.recordServiceDeskStatus('SO-demote', { status: 'shipped', version: 2, caseIds: ['7'], verified: false }, later(1));
    const repeat = await store.recordServiceDeskStatus('SO-demote', { status: 'shipped', version: 2, caseIds: ['7'], verified: false }, later(2));

    // Assess
    expect([lost, repeat]).toEqual(['applied', 'stale']);
    expect((await store.getOrder('SO-demote'))?.serviceDesk).toMatchObject({ version: 2, verified: false, verifiedAt: at.toISOString(), updatedAt: later(1).toISOString() });
  });

  it('reads a desk side written before verification was recorded as never verified', async () => {
    // Prepare
    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'ORDER#SO-old' }, deskStatus: { S: 'shipped' }, deskVersion: { N: '2' }, deskUpdatedAt: { S: at.toISOString() }, deskCaseIds: { L: [{ S: '7' }] } } }));

    // Act
    const record = await store.getOrder('SO-old');

    // Assess
    expect(record?.serviceDesk).toEqual({ status: 'shipped', version: 2, updatedAt: at.toISOString(), caseIds: ['7'], verified: false });
  });

  it('lets exactly one of many concurrent writers of the same version win', async () => {
    // Act
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => store.recordErpStatus(snapshot('SO-race', 10), 'evt', at)));

    // Assess
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(1);
  });
});

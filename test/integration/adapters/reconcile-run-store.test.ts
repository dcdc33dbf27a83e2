import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbReconcileRunStore } from '../../../functions/adapters/reconcile-run-store';
import type { SyncDrift } from '../../../functions/core/canonical/events';
import type { ReconcileRequest } from '../../../functions/core/reconciliation/reconcile-request';
import type { ReconcilePageReport } from '../../../functions/core/reconciliation/reconcile-run';
import { createHashKeyTable, uniqueStage, useEmulator } from '../../support/emulator';

describe('DynamoDB reconciliation run store against the emulator', () => {
  let client: DynamoDBClient;
  let store: ReturnType<typeof makeDynamoDbReconcileRunStore>;
  const at = new Date('2026-11-27T10:00:00Z');
  const request = (runId: string): ReconcileRequest => ({ runId, since: '2026-11-27T08:00:00Z', until: '2026-11-27T10:00:00Z', requestedBy: 'ops-cli', repair: true });
  const drift = (runId: string, orderId: string): SyncDrift => ({
    runId,
    entity: { type: 'order', id: orderId },
    kinds: ['service-desk-behind'],
    erp: { orderId, status: 'shipped', version: 2, occurredAt: '2026-11-27T09:00:00Z' },
    syncState: { erpVersion: 2, serviceDeskVersion: 2 },
    serviceDesk: { cases: [{ caseId: '7', status: 'confirmed', version: 1 }] },
    ageSeconds: 3600,
    detectedAt: at.toISOString(),
    repair: 'reemitted',
  });
  const drifts = (runId: string) => Array.from({ length: 80 }, (_, i) => drift(runId, `SO-${i}`));
  const page = (runId: string, pageKey: string, continueAt?: string): ReconcilePageReport => ({
    runId,
    pageKey,
    checked: 100,
    inSync: 20,
    inFlight: 0,
    drifts: drifts(runId),
    repaired: 80,
    unreadable: [],
    ...(continueAt ? { continueAt: { cursor: continueAt, offset: 0 } } : {}),
  });
  // A slice key holds the ERP's next-page URL; the store keeps it in an item of its own.
  const longCursor = `https://erp.example.com/salesOrders?$filter=${'x'.repeat(900)}&$skiptoken=100`;

  beforeAll(async () => {
    useEmulator();
    client = new DynamoDBClient({});
    const tableName = `${uniqueStage('runs')}-coordination`;
    await createHashKeyTable(client, tableName, 'pk');
    store = makeDynamoDbReconcileRunStore(client, tableName);
  });
  afterAll(() => client.destroy());

  it('adds a slice to its run once, however often it is recorded', async () => {
    // Prepare
    const before = await store.progress('run-once');
    // Act
    const outcomes = [await store.record(request('run-once'), page('run-once', 'first@0', longCursor), at), await store.record(request('run-once'), page('run-once', 'first@0', longCursor), at)];
    // Assess
    expect(before).toEqual({ repaired: 0 });
    expect(outcomes).toEqual(['recorded', 'already-recorded']);
    expect(await store.get('run-once')).toMatchObject({ status: 'running', checked: 100, drifted: 80, repaired: 80 });
    expect(await store.progress('run-once')).toEqual({ repaired: 80 });
  });

  it('shows a run as requested at once, and its first slice turns it running without losing a count', async () => {
    // Act
    await store.requested(request('run-asked'), at);
    const asked = await store.get('run-asked');
    await store.record(request('run-asked'), page('run-asked', 'first@0', 'next'), new Date(at.getTime() + 60_000));
    await store.requested(request('run-asked'), new Date(at.getTime() + 120_000));
    const started = await store.get('run-asked');
    // Assess
    expect(asked).toMatchObject({ status: 'requested', requestedAt: at.toISOString(), checked: 0, drifted: 0, drifts: [] });
    expect(asked?.startedAt).toBeUndefined();
    expect(started).toMatchObject({ status: 'running', requestedAt: at.toISOString(), startedAt: '2026-11-27T10:01:00.000Z', checked: 100, drifted: 80 });
  });

  it('keeps where the run goes on, even a long ERP cursor, until the slice is handed on', async () => {
    // Prepare
    await store.record(request('run-cursor'), page('run-cursor', 'first@0', longCursor), at);
    const recorded = await store.slice('run-cursor', 'first@0');
    // Act
    await store.handedOn('run-cursor', 'first@0');
    // Assess
    expect(recorded).toEqual({ handedOn: false, continueAt: { cursor: longCursor, offset: 0 } });
    expect(await store.slice('run-cursor', 'first@0')).toMatchObject({ handedOn: true });
    expect(await store.slice('run-cursor', `${longCursor}@0`)).toBeUndefined();
  });

  it('marks the run done at its last slice and lists at most 100 drifts', async () => {
    // Prepare
    await store.record(request('run-done'), page('run-done', 'first@0', longCursor), at);
    // Act
    await store.record({ ...request('run-done'), cursor: longCursor, offset: 0 }, page('run-done', `${longCursor}@0`), new Date(at.getTime() + 1000));
    // Assess
    const run = (await store.get('run-done'))!;
    expect(run).toMatchObject({ runId: 'run-done', status: 'done', checked: 200, drifted: 160, repaired: 160, requestedBy: 'ops-cli', startedAt: at.toISOString() });
    expect(run.drifts).toHaveLength(100);
    expect(run.drifts[0]).toEqual({ orderId: 'SO-0', kinds: ['service-desk-behind'], erp: 'shipped v2', cases: '7: confirmed v1', ageSeconds: 3600, repair: 'reemitted' });
    expect(await store.slice('run-done', `${longCursor}@0`)).toEqual({ handedOn: false });
  });

  it('knows no run it never recorded', async () => {
    // Act
    const run = await store.get('never');
    // Assess
    expect(run).toBeUndefined();
  });
});

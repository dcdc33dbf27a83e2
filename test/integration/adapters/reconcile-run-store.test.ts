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
  const request: ReconcileRequest = { runId: 'run-1', since: '2026-11-27T08:00:00Z', until: '2026-11-27T10:00:00Z', requestedBy: 'ops-cli', repair: true };
  const drift = (orderId: string): SyncDrift => ({
    runId: 'run-1',
    entity: { type: 'order', id: orderId },
    kinds: ['service-desk-behind'],
    erp: { orderId, status: 'shipped', version: 2, occurredAt: '2026-11-27T09:00:00Z' },
    syncState: { erpVersion: 2, serviceDeskVersion: 2 },
    serviceDesk: { cases: [{ caseId: '7', status: 'confirmed', version: 1 }] },
    ageSeconds: 3600,
    detectedAt: at.toISOString(),
    repair: 'reemitted',
  });
  const page = (pageKey: string, drifts: SyncDrift[], continueAt?: string): ReconcilePageReport => ({
    runId: 'run-1',
    pageKey,
    checked: 100,
    inSync: 100 - drifts.length,
    inFlight: 0,
    drifts,
    repaired: drifts.length,
    unreadable: [],
    ...(continueAt ? { continueAt: { cursor: continueAt, offset: 0 } } : {}),
  });

  beforeAll(async () => {
    useEmulator();
    client = new DynamoDBClient({});
    const tableName = `${uniqueStage('runs')}-coordination`;
    await createHashKeyTable(client, tableName, 'pk');
    store = makeDynamoDbReconcileRunStore(client, tableName);
  });
  afterAll(() => client.destroy());

  it('adds each slice once, keeps where the run goes on, stays running until the last slice, and bounds the drifts it lists', async () => {
    expect(await store.progress('run-1')).toEqual({ repaired: 0 });
    const many = Array.from({ length: 80 }, (_, i) => drift(`SO-${i}`));
    // A slice key holds the ERP's next-page URL; the store keeps it in an item of its own.
    const longCursor = `https://erp.example.com/salesOrders?$filter=${'x'.repeat(900)}&$skiptoken=100`;
    expect(await store.record(request, page('first@0', many, longCursor), at)).toBe('recorded');
    expect(await store.record(request, page('first@0', many, longCursor), at)).toBe('already-recorded');
    expect(await store.get('run-1')).toMatchObject({ status: 'running', checked: 100, drifted: 80, repaired: 80 });
    expect(await store.progress('run-1')).toEqual({ repaired: 80 });
    expect(await store.slice('run-1', 'first@0')).toEqual({ handedOn: false, continueAt: { cursor: longCursor, offset: 0 } });
    await store.handedOn('run-1', 'first@0');
    expect(await store.slice('run-1', 'first@0')).toMatchObject({ handedOn: true });
    expect(await store.slice('run-1', `${longCursor}@0`)).toBeUndefined();

    expect(await store.record({ ...request, cursor: longCursor, offset: 0 }, page(`${longCursor}@0`, many), new Date(at.getTime() + 1000))).toBe('recorded');
    const run = (await store.get('run-1'))!;
    expect(run).toMatchObject({ runId: 'run-1', status: 'done', checked: 200, drifted: 160, repaired: 160, requestedBy: 'ops-cli', startedAt: at.toISOString() });
    expect(run.drifts).toHaveLength(100);
    expect(run.drifts[0]).toEqual({ orderId: 'SO-0', kinds: ['service-desk-behind'], erp: 'shipped v2', cases: '7: confirmed v1', ageSeconds: 3600, repair: 'reemitted' });
    expect(await store.slice('run-1', `${longCursor}@0`)).toEqual({ handedOn: false });
  });

  it('knows no run it never recorded', async () => {
    expect(await store.get('never')).toBeUndefined();
  });
});

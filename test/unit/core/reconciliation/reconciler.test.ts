import { CanonicalEvents, type CanonicalEvent } from '../../../../functions/core/canonical/events';
import type { OrderStatusSnapshot } from '../../../../functions/core/canonical/order';
import { DeferredError, PermanentError, RateLimitedError, TransientError } from '../../../../functions/core/errors';
import type { ErpOrderPage } from '../../../../functions/core/ports/erp';
import { sliceKey } from '../../../../functions/core/reconciliation/reconcile-run';
import { makeReconciler } from '../../../../functions/core/reconciliation/reconciler';
import type { OrderSyncRecord } from '../../../../functions/core/sync-state';
import { NOW, order, request, synced } from './reconciliation-fixtures';

interface World {
  pages: ErpOrderPage[];
  records?: Record<string, OrderSyncRecord>;
  /** Per order, what each case shows: a version (with status "shipped"), a version and status, or nothing. */
  cases?: Record<string, Record<string, number | { version: number; status: OrderStatusSnapshot['status'] } | undefined>>;
  /** Cases the incremental export does not show (changed before it began): read by id or found by search. */
  notExported?: string[];
  deskFailure?: (call: 'export' | 'getCases' | 'search') => Error | undefined;
  /** What a fresh read of the ERP says (default: nothing newer than the listing). */
  erpNow?: Record<string, OrderStatusSnapshot>;
  /** What the invoice of an order that left the open orders says. */
  erpInvoiced?: Record<string, OrderStatusSnapshot>;
  listingFailure?: (cursor: string | undefined) => Error | undefined;
  limits?: Partial<Parameters<typeof makeReconciler>[0]['limits']>;
  now?: () => Date;
}

const reconcilerIn = (world: World) => {
  const published: CanonicalEvent[] = [];
  const listed: Array<string | undefined> = [];
  const deskRecorded: Array<{ orderId: string; status: string; version: number; caseIds: string[]; verified: boolean; at: string }> = [];
  const deskCalls: Array<{ call: string; since?: string; cursor?: string; caseIds?: string[]; orderId?: string }> = [];
  const recordReads: string[][] = [];
  /** Every case of the world as the desk shows it, linked to its order. */
  const allCases = () =>
    Object.entries(world.cases ?? {}).flatMap(([orderId, byCase]) =>
      Object.entries(byCase).map(([caseId, shown]) =>
        shown === undefined
          ? { caseId, orderId, revision: 'r' }
          : typeof shown === 'number'
            ? { caseId, orderId, revision: 'r', orderVersion: shown, orderStatus: 'shipped' as const }
            : { caseId, orderId, revision: 'r', orderVersion: shown.version, orderStatus: shown.status },
      ),
    );
  const reconcile = makeReconciler({
    erp: {
      listOrdersChanged: async (_window, cursor) => {
        listed.push(cursor);
        const failure = world.listingFailure?.(cursor);
        if (failure) throw failure;
        return world.pages[cursor === undefined ? 0 : Number(cursor)]!;
      },
      getOrder: async (orderId) => world.erpNow?.[orderId],
      getInvoicedOrder: async (orderId) => world.erpInvoiced?.[orderId],
    },
    desk: {
      exportCasesChanged: async (since, cursor) => {
        deskCalls.push({ call: 'export', since: since.toISOString(), cursor });
        const failure = world.deskFailure?.('export');
        if (failure) throw failure;
        return { cases: allCases().filter((view) => !world.notExported?.includes(view.caseId)) };
      },
      getCases: async (caseIds) => {
        deskCalls.push({ call: 'getCases', caseIds });
        const failure = world.deskFailure?.('getCases');
        if (failure) throw failure;
        return allCases().filter((view) => caseIds.includes(view.caseId));
      },
      findCasesForOrder: async (orderId) => {
        deskCalls.push({ call: 'search', orderId });
        const failure = world.deskFailure?.('search');
        if (failure) throw failure;
        return Object.keys(world.cases?.[orderId] ?? {});
      },
    },
    syncState: {
      getOrders: async (orderIds) => {
        recordReads.push(orderIds);
        return new Map(orderIds.filter((orderId) => world.records?.[orderId]).map((orderId) => [orderId, world.records![orderId]!]));
      },
      recordServiceDeskStatuses: async (entries) =>
        entries.map(({ orderId, shown, at }) => {
          deskRecorded.push({ orderId, status: shown.status, version: shown.version, caseIds: shown.caseIds, verified: shown.verified, at: at.toISOString() });
          return 'applied' as const;
        }),
    },
    publisher: { publish: async (events) => void published.push(...events) },
    now: world.now ?? (() => NOW),
    limits: { graceSeconds: 300, maxOrdersPerInvocation: 100, maxSliceSeconds: 240, maxRepairsPerRun: 100, ...world.limits },
  });
  return { reconcile, published, listed, deskRecorded, deskCalls, recordReads };
};

describe('reconciliation run', () => {
  it('reports a lost service-desk update and repairs it by re-emitting the ERP state', async () => {
    // Prepare
    const { reconcile, published } = reconcilerIn({
      pages: [{ orders: [order('SO-1', 3, 45), order('SO-2', 5)], unreadable: [] }],
      records: { 'SO-1': synced('SO-1', 3, 3), 'SO-2': synced('SO-2', 5, 5) },
      cases: { 'SO-1': { '11': { version: 2, status: 'picking' } }, 'SO-2': { '21': 5 } },
    });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report).toMatchObject({ checked: 2, inSync: 1, inFlight: 0, repaired: 1, unreadable: [] });
    expect(report.continueAt).toBeUndefined();
    expect(report.drifts).toEqual([
      expect.objectContaining({
        entity: { type: 'order', id: 'SO-1' },
        kinds: ['service-desk-behind'],
        erp: order('SO-1', 3, 45),
        syncState: { erpVersion: 3, serviceDeskVersion: 3 },
        serviceDesk: { cases: [{ caseId: '11', status: 'picking', version: 2 }] },
        ageSeconds: 2700,
        repair: 'reemitted',
      }),
    ]);
    expect(published.map((event) => event.detailType)).toEqual(['sync.drift.detected', 'order.status.changed']);
    for (const event of published) expect(CanonicalEvents[event.detailType].safeParse(event.detail).success).toBe(true);
    expect(published[1]!.detail.data).toEqual(order('SO-1', 3, 45));
  });

  it('records the desk side as verified, now, when every linked case was read showing the ERP state', async () => {
    // Prepare
    const { reconcile, deskRecorded } = reconcilerIn({
      pages: [{ orders: [order('SO-1', 3), order('SO-2', 4)], unreadable: [] }],
      records: { 'SO-1': synced('SO-1', 3, 3, { verified: false }), 'SO-2': synced('SO-2', 4) },
      cases: { 'SO-1': { '11': 3, '12': 3 } },
    });
    // Act
    const report = await reconcile(request());
    // Assess: SO-2 has no case, so nothing on the desk to verify.
    expect(report).toMatchObject({ inSync: 2, drifts: [] });
    expect(deskRecorded).toEqual([{ orderId: 'SO-1', status: 'shipped', version: 3, caseIds: ['11', '12'], verified: true, at: NOW.toISOString() }]);
  });

  it('records a verified desk side as no longer verified when a case was read without it', async () => {
    // Prepare
    const { reconcile, deskRecorded } = reconcilerIn({
      pages: [{ orders: [order('SO-1', 3), order('SO-2', 3)], unreadable: [] }],
      records: { 'SO-1': synced('SO-1', 3, 3), 'SO-2': synced('SO-2', 3, 3, { verified: false }) },
      cases: { 'SO-1': { '11': 2 }, 'SO-2': { '21': 2 } },
    });
    // Act
    const report = await reconcile(request());
    // Assess: both are repaired; only the one believed verified needed a correction.
    expect(report.repaired).toBe(2);
    expect(deskRecorded).toEqual([{ orderId: 'SO-1', status: 'shipped', version: 3, caseIds: ['1'], verified: false, at: NOW.toISOString() }]);
  });

  it('leaves changes younger than the grace period to the normal path', async () => {
    // Prepare
    const { reconcile, published } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3, 2)], unreadable: [] }], cases: { 'SO-1': { '11': 2 } } });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report).toMatchObject({ checked: 1, inFlight: 1, drifts: [] });
    expect(published).toEqual([]);
  });

  it('reports a case showing another status at the same version, and the re-emitted state repairs it', async () => {
    // Prepare
    const { reconcile, published } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': synced('SO-1', 3, 3) }, cases: { 'SO-1': { '11': { version: 3, status: 'picking' } } } });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report.drifts[0]).toMatchObject({ kinds: ['service-desk-behind'], repair: 'reemitted', serviceDesk: { cases: [{ caseId: '11', status: 'picking', version: 3 }] } });
    expect(published.map((event) => event.detailType)).toEqual(['sync.drift.detected', 'order.status.changed']);
  });

  it('asks the ERP again before calling a case ahead: a change made after the listing is not drift', async () => {
    // Prepare
    const newer = { ...order('SO-1', 4), occurredAt: new Date(NOW.getTime() - 20 * 60_000).toISOString() };
    const { reconcile } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': synced('SO-1', 4, 4) }, cases: { 'SO-1': { '11': 4 } }, erpNow: { 'SO-1': newer } });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report).toMatchObject({ inSync: 1, drifts: [] });
  });

  it('asks the invoice when the order has since left the open orders (shipped and invoiced in full)', async () => {
    // Prepare
    const invoiced = { ...order('SO-1', 4), occurredAt: new Date(NOW.getTime() - 20 * 60_000).toISOString() };
    const { reconcile } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': synced('SO-1', 4, 4) }, cases: { 'SO-1': { '11': 4 } }, erpInvoiced: { 'SO-1': invoiced } });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report).toMatchObject({ inSync: 1, drifts: [] });
  });

  it('counts an order the ERP changed again just now as in flight, not drift', async () => {
    // Prepare
    const { reconcile } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': synced('SO-1', 4, 4) }, cases: { 'SO-1': { '11': 4 } }, erpNow: { 'SO-1': order('SO-1', 4, 1) } });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report).toMatchObject({ inFlight: 1, drifts: [] });
  });

  it('reports a case ahead of the ERP for a person to look at, and repairs nothing', async () => {
    // Prepare
    const { reconcile, published } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': synced('SO-1', 3) }, cases: { 'SO-1': { '11': 4 } } });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report.drifts[0]).toMatchObject({ kinds: ['service-desk-ahead'], repair: 'manual' });
    expect(published.map((event) => event.detailType)).toEqual(['sync.drift.detected']);
  });

  const threeDrifted = { pages: [{ orders: [order('SO-1', 3), order('SO-2', 3), order('SO-3', 3)], unreadable: [] }] };

  it('reports without repairing when asked', async () => {
    // Prepare
    const { reconcile, published } = reconcilerIn(threeDrifted);
    // Act
    const report = await reconcile(request({ repair: false }));
    // Assess
    expect(report.drifts.map((drift) => drift.repair)).toEqual(['report-only', 'report-only', 'report-only']);
    expect(published.every((event) => event.detailType === 'sync.drift.detected')).toBe(true);
  });

  it('defers repairs beyond the run bound', async () => {
    // Prepare
    const { reconcile, published } = reconcilerIn({ ...threeDrifted, limits: { maxRepairsPerRun: 3 } });
    // Act
    const report = await reconcile(request(), { repaired: 2 });
    // Assess
    expect(report.drifts.map((drift) => drift.repair)).toEqual(['reemitted', 'deferred', 'deferred']);
    expect(report.repaired).toBe(1);
    expect(published.filter((event) => event.detailType === 'order.status.changed')).toHaveLength(1);
  });

  it('reports orders it cannot read and goes on', async () => {
    // Prepare
    const { reconcile } = reconcilerIn({
      pages: [{ orders: [order('SO-1', 3), order('SO-2', 3)], unreadable: [{ orderId: 'SO-9', reason: 'status "on_hold" is not a status the product knows' }] }],
      records: { 'SO-2': synced('SO-2', 3) },
    });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report.unreadable).toEqual([expect.objectContaining({ orderId: 'SO-9' })]);
    expect(report).toMatchObject({ checked: 2, inSync: 1, drifts: [expect.objectContaining({ entity: { type: 'order', id: 'SO-1' }, kinds: ['sync-state-behind'] })] });
  });

  it('fails the slice on a transient failure, for a retry', async () => {
    // Prepare
    const { reconcile } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], deskFailure: () => new TransientError('503') });
    // Act
    const slice = reconcile(request());
    // Assess
    await expect(slice).rejects.toThrow(TransientError);
  });

  const pagesOfTwo = () => {
    const page = (from: number, next?: string): ErpOrderPage => ({
      orders: [0, 1].map((i) => order(`SO-${from + i}`, 1)),
      unreadable: [],
      ...(next ? { nextCursor: next } : {}),
    });
    return { pages: [page(0, '1'), page(2, '2'), page(4)], records: Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [`SO-${i}`, synced(`SO-${i}`, 1)])) };
  };

  it('follows the ERP pages up to the per-invocation bound and says where to continue, inside a page if need be', async () => {
    // Prepare
    const bounded = reconcilerIn({ ...pagesOfTwo(), limits: { maxOrdersPerInvocation: 3 } });
    // Act
    const first = await bounded.reconcile(request());
    const rest = await bounded.reconcile(request({ cursor: '1', offset: 1 }));
    // Assess
    expect(first).toMatchObject({ checked: 3, pageKey: 'first@0', continueAt: { cursor: '1', offset: 1 } });
    expect(rest).toMatchObject({ checked: 3, pageKey: '1@1' });
    expect(rest.continueAt).toBeUndefined();
    expect(bounded.listed).toEqual([undefined, '1', '1', '2']);
  });

  it('hands the rest on when its time is spent, after at least one order', async () => {
    // Prepare
    let clock = NOW.getTime();
    const { reconcile } = reconcilerIn({ ...pagesOfTwo(), limits: { maxSliceSeconds: 10 }, now: () => new Date((clock += 4_000)) });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report.checked).toBeGreaterThanOrEqual(1);
    expect(report.checked).toBeLessThan(6);
    expect(report.continueAt).toBeDefined();
  });

  it('keeps its progress when the service desk slows it down, and goes on after the wait it asked for', async () => {
    // Prepare
    // The second page's orders were never seen, so the desk is searched for them, and that search is refused.
    const world = pagesOfTwo();
    const records = { 'SO-0': world.records['SO-0']!, 'SO-1': world.records['SO-1']! };
    const { reconcile } = reconcilerIn({ ...world, records, deskFailure: (call) => (call === 'search' ? new RateLimitedError('429', 42) : undefined) });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report).toMatchObject({ checked: 2, continueAt: { cursor: '1', offset: 0, afterSeconds: 42 } });
    expect(report.continueAt).not.toHaveProperty('deferrals');
  });

  it('hands on without progress in a fresh slice, so waiting burns no receive count, up to a bound', async () => {
    // Prepare
    const { reconcile } = reconcilerIn({ ...pagesOfTwo(), deskFailure: () => new RateLimitedError('429', 42), limits: { maxDeferrals: 3 } });
    // Act
    const first = await reconcile(request());
    const last = reconcile(request({ deferrals: 3 }));
    // Assess
    expect(first).toMatchObject({ checked: 0, continueAt: { offset: 0, afterSeconds: 42, deferrals: 1 } });
    expect(sliceKey({ offset: 0, deferrals: 1 })).not.toBe(sliceKey({ offset: 0 }));
    await expect(last).rejects.toThrow(RateLimitedError);
  });

  const breakerOpen = new DeferredError('breaker open', 16);

  it('waits out an open ERP breaker or a booked budget by handing on', async () => {
    // Prepare
    const { reconcile } = reconcilerIn({ ...pagesOfTwo(), listingFailure: () => breakerOpen });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report).toMatchObject({ checked: 0, continueAt: { offset: 0, afterSeconds: 16, deferrals: 1 } });
  });

  it('keeps the orders already checked when the breaker opens midway', async () => {
    // Prepare
    const { reconcile } = reconcilerIn({ ...pagesOfTwo(), listingFailure: (cursor) => (cursor === '1' ? breakerOpen : undefined) });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report).toMatchObject({ checked: 2, continueAt: { cursor: '1', offset: 0, afterSeconds: 16 } });
    expect(report.continueAt).not.toHaveProperty('deferrals');
  });

  it('fails the slice when the service desk refuses for another reason than a vanished case (e.g. a broken credential)', async () => {
    // Prepare
    const { reconcile } = reconcilerIn({ ...pagesOfTwo(), deskFailure: () => new PermanentError('GET /api/v2/search.json answered 401', { status: 401 }) });
    // Act
    const slice = reconcile(request());
    // Assess
    await expect(slice).rejects.toThrow(PermanentError);
  });

  it('reads the desk in bulk: one export from the first change the slice checks, the cases the sync state links but the export left out by id', async () => {
    // Prepare: 250 orders, each with a recorded case the export did not show (changed before it began), one of them gone.
    const orders = Array.from({ length: 250 }, (_, i) => order(`SO-${i}`, 3, 60 - i / 10));
    const recordedCase = (i: number) => String(1000 + i);
    const records = Object.fromEntries(orders.map((snapshot, i) => [snapshot.orderId, { ...synced(snapshot.orderId, 3, 3), serviceDesk: { ...synced(snapshot.orderId, 3, 3).serviceDesk!, caseIds: [recordedCase(i)] } }]));
    const cases = Object.fromEntries(orders.slice(1).map((snapshot, i) => [snapshot.orderId, { [recordedCase(i + 1)]: i + 1 === 7 ? 2 : 3 }]));
    const { reconcile, deskCalls, recordReads } = reconcilerIn({ pages: [{ orders, unreadable: [] }], records, cases, notExported: Object.values(cases).flatMap(Object.keys), limits: { maxOrdersPerInvocation: 1000 } });
    // Act
    const report = await reconcile(request({ since: '2026-11-27T09:00:00Z' }));
    // Assess: the order whose case is gone has no case left to compare; the one whose case shows v2 drifted.
    expect(report).toMatchObject({ checked: 250, inSync: 249, drifts: [expect.objectContaining({ entity: { type: 'order', id: 'SO-7' }, kinds: ['service-desk-behind'] })] });
    expect(deskCalls.filter((call) => call.call === 'export')).toEqual([{ call: 'export', since: '2026-11-27T09:25:00.000Z', cursor: undefined }]);
    expect(deskCalls.filter((call) => call.call === 'getCases').map((call) => call.caseIds!.length)).toEqual([100, 100, 50]);
    expect(deskCalls.filter((call) => call.call === 'search')).toEqual([]);
    expect(recordReads.map((ids) => ids.length)).toEqual([250]);
  });

  it('follows the export to its end and keeps the latest view of a case exported twice', async () => {
    // Prepare
    const pages = [{ orders: [order('SO-1', 3)], unreadable: [] }];
    const exportPages = [{ cases: [{ caseId: '11', orderId: 'SO-1', revision: 'a', orderVersion: 2, orderStatus: 'picking' as const }], nextCursor: 'p2' }, { cases: [{ caseId: '11', orderId: 'SO-1', revision: 'b', orderVersion: 3, orderStatus: 'shipped' as const }] }];
    const cursors: Array<string | undefined> = [];
    const reconcile = makeReconciler({
      erp: { listOrdersChanged: async () => pages[0]!, getOrder: async () => undefined, getInvoicedOrder: async () => undefined },
      desk: { exportCasesChanged: async (_since, cursor) => (cursors.push(cursor), exportPages[cursor === undefined ? 0 : 1]!), getCases: async () => [], findCasesForOrder: async () => [] },
      syncState: { getOrders: async () => new Map([['SO-1', synced('SO-1', 3, 3)]]), recordServiceDeskStatuses: async (entries) => entries.map(() => 'applied' as const) },
      publisher: { publish: async () => undefined },
      now: () => NOW,
      limits: { graceSeconds: 300, maxOrdersPerInvocation: 100, maxSliceSeconds: 240, maxRepairsPerRun: 100 },
    });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(cursors).toEqual([undefined, 'p2']);
    expect(report).toMatchObject({ inSync: 1, drifts: [] });
  });

  it('leaves out a case whose order field now names another order', async () => {
    // Prepare: case 11 was linked to SO-1 (the sync state says so) and now names SO-2.
    const { reconcile } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': { ...synced('SO-1', 3, 3), serviceDesk: { ...synced('SO-1', 3, 3).serviceDesk!, caseIds: ['11'] } } }, cases: { 'SO-2': { '11': 1 } } });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(report).toMatchObject({ inSync: 1, drifts: [] });
  });

  it('searches the desk only for an order the sync state never saw and no exported case names', async () => {
    // Prepare: SO-1 never seen, its case changed before the export began; SO-2 never seen, its case exported; SO-3 seen.
    const { reconcile, deskCalls } = reconcilerIn({
      pages: [{ orders: [order('SO-1', 3), order('SO-2', 3), order('SO-3', 3)], unreadable: [] }],
      records: { 'SO-3': synced('SO-3', 3) },
      cases: { 'SO-1': { '11': 2 }, 'SO-2': { '21': 3 } },
      notExported: ['11'],
    });
    // Act
    const report = await reconcile(request());
    // Assess
    expect(deskCalls.filter((call) => call.call === 'search')).toEqual([{ call: 'search', orderId: 'SO-1' }]);
    expect(report.drifts.map((drift) => [drift.entity.id, drift.kinds.join('+'), drift.serviceDesk.cases.map((shown) => shown.caseId).join()])).toEqual([
      ['SO-1', 'sync-state-behind+service-desk-behind', '11'],
      ['SO-2', 'sync-state-behind', ''],
    ]);
  });

  it("counts a page's unreadable orders once, however slices split the page", async () => {
    // Prepare
    const pages: ErpOrderPage[] = [{ orders: [order('SO-0', 1), order('SO-1', 1), order('SO-2', 1)], unreadable: [{ orderId: 'SO-x', reason: 'odd status' }] }];
    const split = reconcilerIn({ pages, records: { 'SO-0': synced('SO-0', 1), 'SO-1': synced('SO-1', 1), 'SO-2': synced('SO-2', 1) }, limits: { maxOrdersPerInvocation: 2 } });
    // Act
    const first = await split.reconcile(request());
    const second = await split.reconcile(request({ offset: first.continueAt!.offset }));
    // Assess
    expect([...first.unreadable, ...second.unreadable]).toEqual([{ orderId: 'SO-x', reason: 'odd status' }]);
  });
});

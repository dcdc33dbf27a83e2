import { CanonicalEvents, type CanonicalEvent } from '../../../../functions/core/canonical/events';
import type { OrderStatusSnapshot } from '../../../../functions/core/canonical/order';
import { DeferredError, NotFoundError, PermanentError, RateLimitedError, TransientError } from '../../../../functions/core/errors';
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
  deskFailure?: (orderId: string) => Error | undefined;
  /** What a fresh read of the ERP says (default: nothing newer than the listing). */
  erpNow?: Record<string, OrderStatusSnapshot>;
  listingFailure?: (cursor: string | undefined) => Error | undefined;
  limits?: Partial<Parameters<typeof makeReconciler>[0]['limits']>;
  now?: () => Date;
}

const reconcilerIn = (world: World) => {
  const published: CanonicalEvent[] = [];
  const listed: Array<string | undefined> = [];
  const reconcile = makeReconciler({
    erp: {
      listOrdersChanged: async (_window, cursor) => {
        listed.push(cursor);
        const failure = world.listingFailure?.(cursor);
        if (failure) throw failure;
        return world.pages[cursor === undefined ? 0 : Number(cursor)]!;
      },
      getOrder: async (orderId) => world.erpNow?.[orderId],
    },
    desk: {
      findCasesForOrder: async (orderId) => {
        const failure = world.deskFailure?.(orderId);
        if (failure) throw failure;
        return Object.keys(world.cases?.[orderId] ?? {});
      },
      getCase: async (caseId) => {
        const [, versions] = Object.entries(world.cases ?? {}).find(([, byCase]) => caseId in byCase)!;
        const shown = versions[caseId];
        if (shown === undefined) return { caseId, revision: 'r' };
        return typeof shown === 'number'
          ? { caseId, revision: 'r', orderVersion: shown, orderStatus: 'shipped' as const }
          : { caseId, revision: 'r', orderVersion: shown.version, orderStatus: shown.status };
      },
    },
    syncState: { getOrder: async (orderId) => world.records?.[orderId] },
    publisher: { publish: async (events) => void published.push(...events) },
    now: world.now ?? (() => NOW),
    limits: { graceSeconds: 300, maxOrdersPerInvocation: 100, maxSliceSeconds: 240, maxRepairsPerRun: 100, ...world.limits },
  });
  return { reconcile, published, listed };
};

describe('reconciliation run', () => {
  it('reports a lost service-desk update and repairs it by re-emitting the ERP state', async () => {
    const { reconcile, published } = reconcilerIn({
      pages: [{ orders: [order('SO-1', 3, 45), order('SO-2', 5)], unreadable: [] }],
      records: { 'SO-1': synced('SO-1', 3, 3), 'SO-2': synced('SO-2', 5, 5) },
      cases: { 'SO-1': { '11': { version: 2, status: 'picking' } }, 'SO-2': { '21': 5 } },
    });
    const report = await reconcile(request());
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

  it('leaves changes younger than the grace period to the normal path', async () => {
    const { reconcile, published } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3, 2)], unreadable: [] }], cases: { 'SO-1': { '11': 2 } } });
    expect(await reconcile(request())).toMatchObject({ checked: 1, inFlight: 1, drifts: [] });
    expect(published).toEqual([]);
  });

  it('reports a case showing another status at the same version, and the re-emitted state repairs it', async () => {
    const { reconcile, published } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': synced('SO-1', 3, 3) }, cases: { 'SO-1': { '11': { version: 3, status: 'picking' } } } });
    const report = await reconcile(request());
    expect(report.drifts[0]).toMatchObject({ kinds: ['service-desk-behind'], repair: 'reemitted', serviceDesk: { cases: [{ caseId: '11', status: 'picking', version: 3 }] } });
    expect(published.map((event) => event.detailType)).toEqual(['sync.drift.detected', 'order.status.changed']);
  });

  it('asks the ERP again before calling a case ahead: a change made after the listing is not drift', async () => {
    const newer = { ...order('SO-1', 4), occurredAt: new Date(NOW.getTime() - 20 * 60_000).toISOString() };
    const caughtUp = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': synced('SO-1', 4, 4) }, cases: { 'SO-1': { '11': 4 } }, erpNow: { 'SO-1': newer } });
    expect(await caughtUp.reconcile(request())).toMatchObject({ inSync: 1, drifts: [] });
    const justNow = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': synced('SO-1', 4, 4) }, cases: { 'SO-1': { '11': 4 } }, erpNow: { 'SO-1': order('SO-1', 4, 1) } });
    expect(await justNow.reconcile(request())).toMatchObject({ inFlight: 1, drifts: [] });
  });

  it('reports a case ahead of the ERP for a person to look at, and repairs nothing', async () => {
    const { reconcile, published } = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], records: { 'SO-1': synced('SO-1', 3) }, cases: { 'SO-1': { '11': 4 } } });
    const report = await reconcile(request());
    expect(report.drifts[0]).toMatchObject({ kinds: ['service-desk-ahead'], repair: 'manual' });
    expect(published.map((event) => event.detailType)).toEqual(['sync.drift.detected']);
  });

  it('reports without repairing when asked, and defers repairs beyond the run bound', async () => {
    const world = { pages: [{ orders: [order('SO-1', 3), order('SO-2', 3), order('SO-3', 3)], unreadable: [] }] };
    const reportOnly = reconcilerIn(world);
    expect((await reportOnly.reconcile(request({ repair: false }))).drifts.map((drift) => drift.repair)).toEqual(['report-only', 'report-only', 'report-only']);
    expect(reportOnly.published.every((event) => event.detailType === 'sync.drift.detected')).toBe(true);

    const bounded = reconcilerIn({ ...world, limits: { maxRepairsPerRun: 3 } });
    const report = await bounded.reconcile(request(), { repaired: 2 });
    expect(report.drifts.map((drift) => drift.repair)).toEqual(['reemitted', 'deferred', 'deferred']);
    expect(report.repaired).toBe(1);
    expect(bounded.published.filter((event) => event.detailType === 'order.status.changed')).toHaveLength(1);
  });

  it('reports orders it cannot read and goes on; a transient failure fails the slice for a retry', async () => {
    const unreadable = reconcilerIn({
      pages: [{ orders: [order('SO-1', 3), order('SO-2', 3)], unreadable: [{ orderId: 'SO-9', reason: 'status "on_hold" is not a status the product knows' }] }],
      records: { 'SO-2': synced('SO-2', 3) },
      deskFailure: (orderId) => (orderId === 'SO-1' ? new NotFoundError('ticket 11 is gone') : undefined),
    });
    const report = await unreadable.reconcile(request());
    expect(report.unreadable).toEqual([{ orderId: 'SO-1', reason: 'ticket 11 is gone' }, expect.objectContaining({ orderId: 'SO-9' })]);
    expect(report.inSync).toBe(1);

    const flaky = reconcilerIn({ pages: [{ orders: [order('SO-1', 3)], unreadable: [] }], deskFailure: () => new TransientError('503') });
    await expect(flaky.reconcile(request())).rejects.toThrow(TransientError);
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
    const bounded = reconcilerIn({ ...pagesOfTwo(), limits: { maxOrdersPerInvocation: 3 } });
    const first = await bounded.reconcile(request());
    expect(first).toMatchObject({ checked: 3, pageKey: 'first@0', continueAt: { cursor: '1', offset: 1 } });
    const rest = await bounded.reconcile(request({ cursor: '1', offset: 1 }));
    expect(rest).toMatchObject({ checked: 3, pageKey: '1@1' });
    expect(rest.continueAt).toBeUndefined();
    expect(bounded.listed).toEqual([undefined, '1', '1', '2']);
  });

  it('hands the rest on when its time is spent, after at least one order', async () => {
    let clock = NOW.getTime();
    const world = { ...pagesOfTwo(), limits: { maxSliceSeconds: 10 }, now: () => new Date((clock += 4_000)) };
    const slow = reconcilerIn(world);
    const report = await slow.reconcile(request());
    expect(report.checked).toBeGreaterThanOrEqual(1);
    expect(report.checked).toBeLessThan(6);
    expect(report.continueAt).toBeDefined();
  });

  it('keeps its progress when the service desk slows it down, and goes on after the wait it asked for', async () => {
    let calls = 0;
    const limited = reconcilerIn({
      ...pagesOfTwo(),
      deskFailure: () => (++calls === 4 ? new RateLimitedError('429', 42) : undefined),
    });
    const report = await limited.reconcile(request());
    expect(report).toMatchObject({ checked: 3, continueAt: { cursor: '1', offset: 1, afterSeconds: 42 } });

    // Without any progress the slice still hands on (a fresh message, so waiting burns no receive count), up to a bound.
    const stuck = reconcilerIn({ ...pagesOfTwo(), deskFailure: () => new RateLimitedError('429', 42), limits: { maxDeferrals: 3 } });
    expect(await stuck.reconcile(request())).toMatchObject({ checked: 0, continueAt: { offset: 0, afterSeconds: 42, deferrals: 1 } });
    expect(sliceKey({ offset: 0, deferrals: 1 })).not.toBe(sliceKey({ offset: 0 }));
    await expect(stuck.reconcile(request({ deferrals: 3 }))).rejects.toThrow(RateLimitedError);
  });

  it('waits out an open ERP breaker or a booked budget by handing on, keeping the orders already checked', async () => {
    const deferred = new DeferredError('breaker open', 16);
    const atStart = reconcilerIn({ ...pagesOfTwo(), listingFailure: () => deferred });
    expect(await atStart.reconcile(request())).toMatchObject({ checked: 0, continueAt: { offset: 0, afterSeconds: 16, deferrals: 1 } });
    const midway = reconcilerIn({ ...pagesOfTwo(), listingFailure: (cursor) => (cursor === '1' ? deferred : undefined) });
    const report = await midway.reconcile(request());
    expect(report).toMatchObject({ checked: 2, continueAt: { cursor: '1', offset: 0, afterSeconds: 16 } });
    expect(report.continueAt).not.toHaveProperty('deferrals');
  });

  it('fails the slice when the service desk refuses for another reason than a vanished case (e.g. a broken credential)', async () => {
    const refused = reconcilerIn({ ...pagesOfTwo(), deskFailure: () => new PermanentError('GET /api/v2/search.json answered 401', { status: 401 }) });
    await expect(refused.reconcile(request())).rejects.toThrow(PermanentError);
    const gone = reconcilerIn({ ...pagesOfTwo(), deskFailure: (orderId) => (orderId === 'SO-0' ? new PermanentError('GET /api/v2/tickets/9.json answered 404', { status: 404 }) : undefined) });
    expect((await gone.reconcile(request())).unreadable).toEqual([{ orderId: 'SO-0', reason: expect.stringContaining('404') }]);
  });

  it('counts a page\'s unreadable orders once, however slices split the page', async () => {
    const pages: ErpOrderPage[] = [{ orders: [order('SO-0', 1), order('SO-1', 1), order('SO-2', 1)], unreadable: [{ orderId: 'SO-x', reason: 'odd status' }] }];
    const world = { pages, records: { 'SO-0': synced('SO-0', 1), 'SO-1': synced('SO-1', 1), 'SO-2': synced('SO-2', 1) }, limits: { maxOrdersPerInvocation: 2 } };
    const split = reconcilerIn(world);
    const first = await split.reconcile(request());
    const second = await split.reconcile(request({ offset: first.continueAt!.offset }));
    expect([...first.unreadable, ...second.unreadable]).toEqual([{ orderId: 'SO-x', reason: 'odd status' }]);
  });
});

import { answerShowsWrite, decideCasePush, toOrderSyncView } from '../../../functions/core/sync-state';

const erp = { status: 'shipped' as const, version: 3, occurredAt: '2026-11-27T09:00:00Z', updatedAt: '2026-11-27T09:00:01Z', eventId: 'evt_1' };
const desk = { status: 'shipped' as const, version: 3, updatedAt: '2026-11-27T09:00:02Z', caseIds: ['7'], verified: true, verifiedAt: '2026-11-27T09:00:02Z' };

describe('toOrderSyncView', () => {
  it('is in sync when the desk was seen to show the ERP version', () => {
    // Prepare
    const state = { orderId: 'SO-1', erp, serviceDesk: desk };

    // Act
    const view = toOrderSyncView(state);

    // Assess
    expect(view).toEqual({
      orderId: 'SO-1',
      erp: { status: 'shipped', version: 3, updatedAt: '2026-11-27T09:00:01Z' },
      serviceDesk: { status: 'shipped', version: 3, updatedAt: '2026-11-27T09:00:02Z', verified: true, verifiedAt: '2026-11-27T09:00:02Z', caseIds: ['7'] },
      inSync: true,
    });
  });

  it('is out of sync when the ERP version was written to the desk but the desk was not seen to show it', () => {
    // Prepare: an earlier version was verified; this write was not.
    const state = { orderId: 'SO-1', erp, serviceDesk: { ...desk, updatedAt: '2026-11-27T09:05:00Z', verified: false } };

    // Act
    const view = toOrderSyncView(state);

    // Assess
    expect(view).toMatchObject({ serviceDesk: { version: 3, verified: false, verifiedAt: '2026-11-27T09:00:02Z' }, inSync: false });
  });

  it('shows verifiedAt as null for a desk side never verified', () => {
    // Prepare
    const { verifiedAt: _never, ...unverified } = desk;
    const state = { orderId: 'SO-1', erp, serviceDesk: { ...unverified, verified: false } };

    // Act
    const view = toOrderSyncView(state);

    // Assess
    expect(view).toMatchObject({ serviceDesk: { verified: false, verifiedAt: null }, inSync: false });
  });

  it('is out of sync when the desk lags the ERP', () => {
    // Prepare
    const state = { orderId: 'SO-1', erp: { ...erp, version: 4, status: 'delivered' as const }, serviceDesk: desk };

    // Act
    const view = toOrderSyncView(state);

    // Assess
    expect(view.inSync).toBe(false);
  });

  it('is out of sync while no case shows the order', () => {
    // Prepare
    const state = { orderId: 'SO-1', erp };

    // Act
    const view = toOrderSyncView(state);

    // Assess
    expect(view).toMatchObject({ serviceDesk: null, inSync: false });
  });
});

describe('answerShowsWrite', () => {
  const written = { status: 'shipped' as const, version: 3 };

  it.each([
    ['the written status and version', true, { orderVersion: 3, orderStatus: 'shipped' as const }],
    ['the version before (the update was lost)', false, { orderVersion: 2, orderStatus: 'picking' as const }],
    ['the version but another status (a trigger changed it back)', false, { orderVersion: 3, orderStatus: 'picking' as const }],
    ['a newer version', false, { orderVersion: 4, orderStatus: 'shipped' as const }],
    ['no order fields', false, {}],
  ])('a returned case showing %s verifies the write: %s', (_label, verified, shown) => {
    // Act
    const shows = answerShowsWrite({ caseId: '7', revision: 'r', ...shown }, written);

    // Assess
    expect(shows).toBe(verified);
  });

  it('an answer without a case verifies nothing', () => {
    // Act
    const shows = answerShowsWrite(undefined, written);

    // Assess
    expect(shows).toBe(false);
  });
});

describe('decideCasePush', () => {
  const snapshot = { orderId: 'SO-1', status: 'shipped' as const, version: 3, occurredAt: '2026-11-27T09:00:00Z' };

  it.each([
    [undefined, 'push'],
    [2, 'push'],
    [3, 'already-current'],
    [4, 'case-has-newer'],
  ])('a case at version %s gets %s', (orderVersion, decision) => {
    // Prepare
    const shown = { caseId: '7', orderVersion, revision: 'r' };

    // Act
    const decided = decideCasePush(shown, snapshot);

    // Assess
    expect(decided).toBe(decision);
  });

  it.each([
    [3, 'shipped', 'already-current'],
    [3, 'picking', 'push'],
    [4, 'picking', 'case-has-newer'],
  ])('a case at version %s showing %s gets %s (the ERP status wins at the same version)', (orderVersion, orderStatus, decision) => {
    // Prepare
    const shown = { caseId: '7', orderVersion, orderStatus: orderStatus as 'shipped', revision: 'r' };

    // Act
    const decided = decideCasePush(shown, snapshot);

    // Assess
    expect(decided).toBe(decision);
  });
});

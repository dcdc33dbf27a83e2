import { decideCasePush, toOrderSyncView } from '../../../functions/core/sync-state';

const erp = { status: 'shipped' as const, version: 3, occurredAt: '2026-11-27T09:00:00Z', updatedAt: '2026-11-27T09:00:01Z', eventId: 'evt_1' };
const desk = { status: 'shipped' as const, version: 3, updatedAt: '2026-11-27T09:00:02Z', caseIds: ['7'] };

describe('toOrderSyncView', () => {
  it('is in sync when the desk shows the ERP version', () => {
    // Prepare
    const state = { orderId: 'SO-1', erp, serviceDesk: desk };

    // Act
    const view = toOrderSyncView(state);

    // Assess
    expect(view).toEqual({
      orderId: 'SO-1',
      erp: { status: 'shipped', version: 3, updatedAt: '2026-11-27T09:00:01Z' },
      serviceDesk: { status: 'shipped', version: 3, updatedAt: '2026-11-27T09:00:02Z', caseIds: ['7'] },
      inSync: true,
    });
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

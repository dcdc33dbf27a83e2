import { decideCasePush, toOrderSyncView } from '../../../functions/core/sync-state';

const erp = { status: 'shipped' as const, version: 3, occurredAt: '2026-11-27T09:00:00Z', updatedAt: '2026-11-27T09:00:01Z', eventId: 'evt_1' };
const desk = { status: 'shipped' as const, version: 3, updatedAt: '2026-11-27T09:00:02Z', caseIds: ['7'] };

describe('toOrderSyncView', () => {
  it('is in sync when the desk shows the ERP version', () => {
    expect(toOrderSyncView({ orderId: 'SO-1', erp, serviceDesk: desk })).toEqual({
      orderId: 'SO-1',
      erp: { status: 'shipped', version: 3, updatedAt: '2026-11-27T09:00:01Z' },
      serviceDesk: { status: 'shipped', version: 3, updatedAt: '2026-11-27T09:00:02Z', caseIds: ['7'] },
      inSync: true,
    });
  });

  it('is out of sync when the desk lags the ERP', () => {
    expect(toOrderSyncView({ orderId: 'SO-1', erp: { ...erp, version: 4, status: 'delivered' }, serviceDesk: desk }).inSync).toBe(false);
  });

  it('is out of sync while no case shows the order', () => {
    expect(toOrderSyncView({ orderId: 'SO-1', erp })).toMatchObject({ serviceDesk: null, inSync: false });
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
    expect(decideCasePush({ caseId: '7', orderVersion, revision: 'r' }, snapshot)).toBe(decision);
  });

  it('gives the ERP status to a case that shows another status at the same version', () => {
    expect(decideCasePush({ caseId: '7', orderVersion: 3, orderStatus: 'shipped', revision: 'r' }, snapshot)).toBe('already-current');
    expect(decideCasePush({ caseId: '7', orderVersion: 3, orderStatus: 'picking', revision: 'r' }, snapshot)).toBe('push');
    expect(decideCasePush({ caseId: '7', orderVersion: 4, orderStatus: 'picking', revision: 'r' }, snapshot)).toBe('case-has-newer');
  });
});

import { makeOrderDriftCheck } from '../../../functions/reconciler/reconcile';

const erpOrder = { orderId: 'SO-1', status: 'shipped' as const, version: 3, occurredAt: '2026-11-27T10:00:00Z' };
const deskWith = (cases: Record<string, { orderVersion?: number; orderStatus?: 'picking' | 'shipped' }>) => ({
  findCasesForOrder: async () => Object.keys(cases),
  getCase: async (caseId: string) => ({ caseId, revision: 'r', ...cases[caseId] }),
});
const now = () => new Date('2026-11-27T10:05:00Z');

describe('order drift check', () => {
  it('reports the cases that show an older version than the ERP, with the drift age', async () => {
    const check = makeOrderDriftCheck({ erp: { getOrder: async () => erpOrder }, desk: deskWith({ '7': { orderVersion: 2, orderStatus: 'picking' }, '8': { orderVersion: 3, orderStatus: 'shipped' } }), now });
    expect(await check('SO-1')).toEqual({ orderId: 'SO-1', erp: erpOrder, cases: [{ caseId: '7', status: 'picking', version: 2 }], ageSeconds: 300 });
  });

  it('reports a linked case that never got a status', async () => {
    const check = makeOrderDriftCheck({ erp: { getOrder: async () => erpOrder }, desk: deskWith({ '9': {} }), now });
    expect((await check('SO-1'))?.cases).toEqual([{ caseId: '9', status: undefined, version: undefined }]);
  });

  it('finds no drift when every case shows the ERP version, or the ERP does not know the order', async () => {
    expect(await makeOrderDriftCheck({ erp: { getOrder: async () => erpOrder }, desk: deskWith({ '7': { orderVersion: 3 } }), now })('SO-1')).toBeUndefined();
    expect(await makeOrderDriftCheck({ erp: { getOrder: async () => undefined }, desk: deskWith({ '7': {} }), now })('SO-1')).toBeUndefined();
  });
});

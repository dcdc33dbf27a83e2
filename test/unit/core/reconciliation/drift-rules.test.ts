import { driftKinds } from '../../../../functions/core/reconciliation/drift-rules';
import { order, synced } from './reconciliation-fixtures';

describe('drift rules', () => {
  it('names each side that differs from the ERP', () => {
    const erp = order('SO-1', 3);
    expect(driftKinds(erp, synced('SO-1', 3, 3), [{ caseId: '1', version: 3 }])).toEqual([]);
    expect(driftKinds(erp, synced('SO-1', 3, 3), [])).toEqual([]);
    expect(driftKinds(erp, synced('SO-1', 2), [])).toEqual(['sync-state-behind']);
    expect(driftKinds(erp, undefined, [])).toEqual(['sync-state-behind']);
    expect(driftKinds(erp, synced('SO-1', 3, 3), [{ caseId: '1', version: 2 }, { caseId: '2' }])).toEqual(['service-desk-behind']);
    expect(driftKinds(erp, synced('SO-1', 3), [{ caseId: '1', version: 4 }])).toEqual(['service-desk-ahead']);
  });
});

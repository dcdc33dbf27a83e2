import { driftKinds } from '../../../../functions/core/reconciliation/drift-rules';
import { order, synced } from './reconciliation-fixtures';

describe('drift rules', () => {
  const erp = order('SO-1', 3);

  it.each([
    ['the sync state and every case show the ERP version', synced('SO-1', 3, 3), [{ caseId: '1', version: 3 }], []],
    ['the sync state shows the ERP version and no case is linked', synced('SO-1', 3, 3), [], []],
    ['the sync state holds an older ERP version', synced('SO-1', 2), [], ['sync-state-behind']],
    ['the sync state never heard of the order', undefined, [], ['sync-state-behind']],
    ['a case shows an older version and another none', synced('SO-1', 3, 3), [{ caseId: '1', version: 2 }, { caseId: '2' }], ['service-desk-behind']],
    ['a case shows a newer version than the ERP', synced('SO-1', 3), [{ caseId: '1', version: 4 }], ['service-desk-ahead']],
  ] as const)('names the drift when %s', (_, syncState, cases, expected) => {
    // Act
    const kinds = driftKinds(erp, syncState, [...cases]);
    // Assess
    expect(kinds).toEqual(expected);
  });
});

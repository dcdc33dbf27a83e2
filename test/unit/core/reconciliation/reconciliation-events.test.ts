import { CanonicalEvents } from '../../../../functions/core/canonical/events';
import { repairEvent } from '../../../../functions/core/reconciliation/reconciliation-events';
import { NOW, order } from './reconciliation-fixtures';

describe('reconciliation events', () => {
  it('re-emits the ERP state as the same event whichever run repairs it', () => {
    const first = repairEvent(order('SO-1', 3), 'run-1', NOW);
    const second = repairEvent(order('SO-1', 3), 'run-2', new Date(NOW.getTime() + 60_000));
    expect(second.detail.eventId).toBe(first.detail.eventId);
    expect(repairEvent(order('SO-1', 4), 'run-1', NOW).detail.eventId).not.toBe(first.detail.eventId);
    expect(CanonicalEvents['order.status.changed'].parse(first.detail)).toBeTruthy();
    expect(first).toMatchObject({ source: 'retail-sync.erp', detail: { origin: { system: 'erp', type: 'reconciliation.erp-read' }, correlationId: 'run-1/SO-1' } });
  });
});

import { CanonicalEvents } from '../../../../functions/core/canonical/events';
import { repairEvent } from '../../../../functions/core/reconciliation/reconciliation-events';
import { NOW, order } from './reconciliation-fixtures';

describe('reconciliation events', () => {
  it('re-emits the ERP state as the same event whichever run repairs it', () => {
    // Act
    const first = repairEvent(order('SO-1', 3), 'run-1', NOW);
    const second = repairEvent(order('SO-1', 3), 'run-2', new Date(NOW.getTime() + 60_000));
    // Assess
    expect(second.detail.eventId).toBe(first.detail.eventId);
  });

  it('gives another version of the order another event', () => {
    // Act
    const ids = [repairEvent(order('SO-1', 3), 'run-1', NOW), repairEvent(order('SO-1', 4), 'run-1', NOW)].map((event) => event.detail.eventId);
    // Assess
    expect(new Set(ids).size).toBe(2);
  });

  it('re-emits a valid order.status.changed from the ERP, correlated with the run', () => {
    // Act
    const event = repairEvent(order('SO-1', 3), 'run-1', NOW);
    // Assess
    expect(CanonicalEvents['order.status.changed'].safeParse(event.detail).success).toBe(true);
    expect(event).toMatchObject({ source: 'retail-sync.erp', detail: { origin: { system: 'erp', type: 'reconciliation.erp-read' }, correlationId: 'run-1/SO-1' } });
  });
});

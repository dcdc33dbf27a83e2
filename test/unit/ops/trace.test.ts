import { orderSteps, type TraceStep } from '../../../ops/trace';

const step = (name: string, status: TraceStep['status'], at?: string): TraceStep => ({ step: name, system: 's', outcome: 'o', status, detail: 'd', ...(at ? { at } : {}) });

describe('orderSteps', () => {
  it('orders steps by time, puts untimed steps last and marks the first failure as the stuck one', () => {
    // Act
    const { steps, stuckAt } = orderSteps([step('in sync', 'pending'), step('dead-lettered', 'failed', '2026-01-01T00:00:02Z'), step('ingest', 'ok', '2026-01-01T00:00:01Z')]);

    // Assess
    expect(steps.map((entry) => entry.step)).toEqual(['ingest', 'dead-lettered', 'in sync']);
    expect(stuckAt).toBe(1);
  });

  it('marks the first pending step when nothing failed, and none when everything is done', () => {
    // Act
    const waiting = orderSteps([step('ERP command', 'pending', '2026-01-01T00:00:02Z'), step('ingest', 'ok', '2026-01-01T00:00:01Z')]);
    const done = orderSteps([step('ingest', 'ok', '2026-01-01T00:00:01Z')]);

    // Assess
    expect(waiting.stuckAt).toBe(1);
    expect(done.stuckAt).toBeUndefined();
  });
});

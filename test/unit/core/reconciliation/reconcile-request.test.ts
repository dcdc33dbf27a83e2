import { ValidationError } from '../../../../functions/core/errors';
import { parseReconcileMessage } from '../../../../functions/core/reconciliation/reconcile-request';

describe('reconciler messages', () => {
  const settings = { lookbackSeconds: 7200 };

  it('turns the schedule event into a run over the lookback window', () => {
    // Prepare
    const scheduled = { version: '0', id: 'x', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-27T10:15:00Z', resources: [], detail: {} };
    // Act
    const request = parseReconcileMessage(JSON.stringify(scheduled), settings);
    // Assess
    expect(request).toEqual({ runId: 'scheduled-20261127T101500Z', since: '2026-11-27T08:15:00.000Z', until: '2026-11-27T10:15:00.000Z', requestedBy: 'schedule', repair: true });
  });

  it('reads a request from the ops CLI, repairing by default', () => {
    // Act
    const request = parseReconcileMessage(JSON.stringify({ runId: 'cli-1', since: '2026-11-27T08:00:00Z', until: '2026-11-27T09:00:00Z' }), settings);
    // Assess
    expect(request).toMatchObject({ runId: 'cli-1', repair: true, requestedBy: 'schedule' });
  });

  it.each([
    ['a body that is not JSON', 'nope', ValidationError],
    ['a bad run id and a time that is not ISO, naming both', JSON.stringify({ runId: 'a b', since: 'yesterday', until: '2026-11-27T09:00:00Z' }), /runId.*since/s],
    ['a window that ends before it starts', JSON.stringify({ runId: 'r', since: '2026-11-27T10:00:00Z', until: '2026-11-27T09:00:00Z' }), /since must not be after until/],
  ])('refuses %s', (_, body, expected) => {
    // Act
    const parse = () => parseReconcileMessage(body, settings);
    // Assess
    expect(parse).toThrow(expected);
  });
});

import { ValidationError } from '../../../../functions/core/errors';
import { parseReconcileMessage } from '../../../../functions/core/reconciliation/reconcile-request';

describe('reconciler messages', () => {
  const settings = { lookbackSeconds: 7200 };

  it('turns the schedule event into a run over the lookback window', () => {
    const scheduled = { version: '0', id: 'x', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-27T10:15:00Z', resources: [], detail: {} };
    expect(parseReconcileMessage(JSON.stringify(scheduled), settings)).toEqual({
      runId: 'scheduled-20261127T101500Z',
      since: '2026-11-27T08:15:00.000Z',
      until: '2026-11-27T10:15:00.000Z',
      requestedBy: 'schedule',
      repair: true,
    });
  });

  it('reads a request from the ops CLI and refuses a malformed one with the reason', () => {
    expect(parseReconcileMessage(JSON.stringify({ runId: 'cli-1', since: '2026-11-27T08:00:00Z', until: '2026-11-27T09:00:00Z' }), settings)).toMatchObject({ runId: 'cli-1', repair: true, requestedBy: 'schedule' });
    expect(() => parseReconcileMessage('nope', settings)).toThrow(ValidationError);
    expect(() => parseReconcileMessage(JSON.stringify({ runId: 'a b', since: 'yesterday', until: '2026-11-27T09:00:00Z' }), settings)).toThrow(/runId.*since/s);
    expect(() => parseReconcileMessage(JSON.stringify({ runId: 'r', since: '2026-11-27T10:00:00Z', until: '2026-11-27T09:00:00Z' }), settings)).toThrow(/since must not be after until/);
  });
});

import { signStandardWebhook } from '../../local/sign';
import { closeConnection, openConnection, type OpsConnection } from '../../ops/connection';
import { readMetricsHistory } from '../../ops/metrics-history';
import { readOverview } from '../../ops/overview';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { eventually } from '../support/emulator';

const SECRET = 'whsec_' + Buffer.from('e2e-overview-erp-secret').toString('base64');

/**
 * The ops library against a running local stack: the metrics its handlers emit reach the emulator's
 * CloudWatch, where `readMetricsHistory` reads them with GetMetricData as it does in AWS, and
 * `readOverview` reads the stage's stores.
 */
describe('ops overview and metrics history on the local stack', () => {
  let e2e: E2eStack;
  let conn: OpsConnection;

  beforeAll(async () => {
    e2e = await startE2eStack('overview', { signingSecrets: { erp: [SECRET] }, forwardMetrics: true });
    const stage = e2e.stack.resources.names.prefix.replace(/^retail-sync-/, '');
    conn = openConnection({ stage, endpoint: e2e.stack.emulatorEndpoint }, {});
  }, 60_000);
  afterAll(async () => {
    if (conn) closeConnection(conn);
    await e2e?.stop();
  });

  it("charts the webhooks the stack accepted and refused from its handlers' own metrics", async () => {
    // Prepare
    const rawBody = JSON.stringify({ type: 'order.status.changed', timestamp: new Date().toISOString(), data: { orderId: 'SO-OVERVIEW-1', status: 'shipped', version: 2, occurredAt: new Date().toISOString() } });
    const accepted = await fetch(`${e2e.stack.url}/v1/webhooks/erp`, { method: 'POST', headers: signStandardWebhook(SECRET, rawBody), body: rawBody });
    const refused = await fetch(`${e2e.stack.url}/v1/webhooks/erp`, { method: 'POST', headers: { ...signStandardWebhook(SECRET, rawBody), 'webhook-signature': 'v1,AAAA' }, body: rawBody });
    expect([accepted.status, refused.status]).toEqual([202, 401]);

    // Act: the metrics travel asynchronously (PutMetricData after each invocation).
    const total = (points: Array<{ value: number }>) => points.reduce((sum, point) => sum + point.value, 0);
    const history = await eventually(
      () => readMetricsHistory(conn, 1),
      (read) => total(read.webhooksAccepted.points) >= 1 && total(read.webhooksRefused.points) >= 1,
      15_000,
      250,
    );

    // Assess: other stacks on the same emulator may add theirs, never fewer.
    expect(total(history.webhooksAccepted.points)).toBeGreaterThanOrEqual(1);
    expect(total(history.webhooksRefused.points)).toBeGreaterThanOrEqual(1);
  });

  it("reads the stage's overview: nothing dead-lettered, the breaker closed", async () => {
    // Act
    const overview = await readOverview(conn);

    // Assess
    expect(overview.dlqs.length).toBeGreaterThan(0);
    expect(overview.dlqs.every((dlq) => dlq.depth === 0)).toBe(true);
    expect(overview.erp.breaker.state).toBe('closed');
    expect(overview.exceptions.open).toBe(0);
  });
});

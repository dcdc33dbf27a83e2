import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DEFAULT_FIELD_IDS } from '../../functions/adapters/service-desk-zendesk';
import { LOCAL_SERVICE_DESK_AUTHORIZATION } from '../../local/dev-credentials';
import type { LocalStack } from '../../local/runtime';
import { signStandardWebhook } from '../../local/sign';
import { run, STUCK_MARKER } from '../../ops/cli';
import type { Trace } from '../../ops/trace';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { eventually } from '../support/emulator';
import { callerHeaders } from '../support/caller';

const SECRET = 'whsec_' + Buffer.from('e2e-trace-erp-secret').toString('base64');

/**
 * `ops trace` on the local stack: a signed ERP webhook for an order whose case is closed goes through
 * ingest and the sync-state projector, and the service-desk updater dead-letters it (the desk refuses to
 * update a closed ticket with 422); the trace, by correlation id and by order id, shows every step and
 * marks the DLQ stop.
 */
describe('ops trace on the local stack', () => {
  let e2e: E2eStack;
  let stack: LocalStack;
  let stage: string;
  let deliveryId: string;
  const orderId = 'SO-TRACE-1';

  const cli = async (...args: string[]) => {
    const [out, err]: string[][] = [[], []];
    const code = await run([...args, '--stage', stage, '--endpoint', stack.emulatorEndpoint], { stdout: (text) => out.push(text), stderr: (text) => err.push(text), progress: false });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };
  const updaterDlqDepth = async () =>
    Number(
      (await e2e.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.resources.queues.get('service-desk-updater')!.deadLetterUrl, AttributeNames: ['ApproximateNumberOfMessages'] })))
        .Attributes?.ApproximateNumberOfMessages ?? 0,
    );
  const rowOf = (stdout: string, pattern: RegExp) => stdout.split('\n').find((line) => pattern.test(line));

  beforeAll(async () => {
    e2e = await startE2eStack('trace', { signingSecrets: { erp: [SECRET] } });
    stack = e2e.stack;
    stage = stack.resources.names.prefix.replace(/^retail-sync-/, '');

    // A case linked to the order and closed: Zendesk refuses to update it (422), a permanent error.
    const created = await fetch(`${stack.serviceDesk.url}/api/v2/tickets.json`, {
      method: 'POST',
      headers: { authorization: LOCAL_SERVICE_DESK_AUTHORIZATION },
      body: JSON.stringify({ ticket: { subject: `About ${orderId}`, custom_fields: [{ id: DEFAULT_FIELD_IDS.orderId, value: orderId }] } }),
    });
    stack.serviceDesk.tickets.get(((await created.json()) as { ticket: { id: number } }).ticket.id)!.status = 'closed';

    const rawBody = JSON.stringify({ type: 'order.status.changed', timestamp: new Date().toISOString(), data: { orderId, status: 'shipped', version: 2, occurredAt: new Date().toISOString() } });
    const headers = signStandardWebhook(SECRET, rawBody);
    deliveryId = headers['webhook-id'];
    const response = await fetch(`${stack.url}/v1/webhooks/erp`, { method: 'POST', headers, body: rawBody });
    expect(response.status).toBe(202);

    await eventually(updaterDlqDepth, (depth) => depth === 1, 15_000);
    await eventually(async () => (await fetch(`${stack.url}/v1/orders/${orderId}/sync`, { headers: callerHeaders })).status, (status) => status === 200, 10_000);
  }, 60_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  it('traces a delivery by its correlation id through ingest and the sync state to the DLQ, where it is stuck', async () => {
    // Act
    const { code, stdout, stderr } = await cli('ops', 'trace', deliveryId);

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`Trace of delivery ${deliveryId} (order ${orderId})`);
    expect(rowOf(stdout, /\bingest\b/)).toMatch(new RegExp(`ingest\\s+erp\\s+accepted\\s+delivery ${deliveryId}: 1 event\\(s\\) published to the bus for ${orderId}`));
    expect(rowOf(stdout, /sync state: ERP side/)).toMatch(/recorded v2 shipped/);
    expect(rowOf(stdout, /dead-lettered/)).toMatch(/service-desk-updater-dlq\s+permanent\s+order.status.changed eventId=evt_\w+: PUT \S+ answered 422/);
    expect(rowOf(stdout, /dead-lettered/)).toContain(STUCK_MARKER);
    expect(stdout.split(STUCK_MARKER)).toHaveLength(2);
    expect(stdout).toMatch(/\nVerdict: dead-lettered in service-desk-updater-dlq: PUT \S+ answered 422\n/);
    // Peeked, not consumed.
    expect(await updaterDlqDepth()).toBe(1);
  });

  it('traces the order by its id, as JSON, with the same steps and the stuck step marked', async () => {
    // Act
    const { code, stdout } = await cli('ops', 'trace', orderId, '--json');

    // Assess
    expect(code).toBe(0);
    const trace = JSON.parse(stdout) as Trace;
    expect(trace).toMatchObject({ id: orderId, kind: 'order', orderIds: [orderId], deliveries: [{ deliveryId, source: 'erp', status: 'accepted', orderIds: [orderId] }] });
    const steps = trace.steps.map((step) => `${step.step} | ${step.system} | ${step.status}`);
    expect(steps).toEqual(
      expect.arrayContaining(['ingest | erp | ok', 'sync state: ERP side | sync-state | ok', 'dead-lettered | service-desk-updater-dlq | failed', 'in sync | sync-state | pending']),
    );
    // Chronological: the delivery came first, the dead letter after it.
    expect(steps.indexOf('ingest | erp | ok')).toBeLessThan(steps.indexOf('dead-lettered | service-desk-updater-dlq | failed'));
    expect(trace.steps[trace.stuckAt!]).toMatchObject({ step: 'dead-lettered', system: 'service-desk-updater-dlq', outcome: 'permanent' });
    expect(trace.verdict).toMatch(/^dead-lettered in service-desk-updater-dlq: PUT \S+ answered 422$/);
  });

  it('traces the order by the id of its event', async () => {
    // Prepare
    const { stdout } = await cli('ops', 'trace', orderId, '--json');
    const eventId = (JSON.parse(stdout) as Trace).deliveries[0]!.eventIds[0]!;

    // Act
    const byEvent = await cli('ops', 'trace', eventId, '--json');

    // Assess
    expect(byEvent.code).toBe(0);
    expect(JSON.parse(byEvent.stdout)).toMatchObject({ kind: 'event', orderIds: [orderId], verdict: expect.stringMatching(/^dead-lettered in service-desk-updater-dlq/) });
  });

  it('refuses an id no store knows with exit code 2', async () => {
    // Act
    const { code, stdout, stderr } = await cli('ops', 'trace', 'SO-NEVER-SEEN');

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: "SO-NEVER-SEEN" is no order, delivery \(correlation\) id, event id, workflow id or case id any store of stage "trace-\w+" knows/);
  });
});

import { LOCAL_SERVICE_DESK_AUTHORIZATION } from '../../local/dev-credentials';
import { DescribeArchiveCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_FIELD_IDS } from '../../functions/adapters/service-desk-zendesk';
import { startLocalStack, type LocalStack } from '../../local/runtime';
import { signStandardWebhook } from '../../local/sign';
import { observeBus } from '../support/bus-observer';
import { run } from '../../ops/cli';
import { consumerBacklog as backlogOf } from '../support/consumer-backlog';
import { eventually, uniqueStage, useEmulator } from '../support/emulator';
import { callerHeaders } from '../support/caller';

const SECRET = 'whsec_' + Buffer.from('e2e-replay').toString('base64');

describe('replaying the archive on the local stack', () => {
  let stack: LocalStack;
  let stage: string;
  let sqs: SQSClient;
  beforeAll(async () => {
    stage = uniqueStage('e2e-replay');
    stack = await startLocalStack({ port: 0, stage, emulatorEndpoint: useEmulator(), signingSecrets: { erp: [SECRET] }, visibilityTimeoutSeconds: 5 });
    sqs = new SQSClient({});
  }, 60_000);
  afterAll(async () => {
    sqs?.destroy();
    await stack?.stop();
  });

  const send = (type: string, data: Record<string, unknown>) => {
    const rawBody = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
    return fetch(`${stack.url}/v1/webhooks/erp`, { method: 'POST', headers: signStandardWebhook(SECRET, rawBody), body: rawBody });
  };
  const getJson = async (path: string) => (await fetch(`${stack.url}${path}`, { headers: callerHeaders })).json() as Promise<Record<string, any>>;
  const consumerBacklog = () => backlogOf(sqs, stack.resources.queues.values());

  it('changes nothing when consumers see every archived event again', async () => {
    // Prepare: an order in sync on its case, and a customer timeline.
    const started = new Date(Date.now() - 60_000);
    await fetch(`${stack.serviceDesk.url}/api/v2/tickets.json`, {
      method: 'POST',
      headers: { authorization: LOCAL_SERVICE_DESK_AUTHORIZATION },
      body: JSON.stringify({ ticket: { subject: 'replay', custom_fields: [{ id: DEFAULT_FIELD_IDS.orderId, value: 'SO-R1' }] } }),
    });
    const accepted = [];
    accepted.push(await send('order.created', { orderId: 'SO-R1', occurredAt: new Date().toISOString(), customer: { email: 'replay@example.com' } }));
    accepted.push(await send('order.status.changed', { orderId: 'SO-R1', status: 'confirmed', version: 1, occurredAt: new Date().toISOString() }));
    accepted.push(await send('order.status.changed', { orderId: 'SO-R1', status: 'shipped', version: 2, occurredAt: new Date().toISOString() }));
    const eventIds = await Promise.all(accepted.map(async (response) => ((await response.json()) as { eventId: string }).eventId));
    const before = await eventually(() => getJson('/v1/orders/SO-R1/sync'), (view) => view.inSync === true && view.erp?.version === 2, 10_000);
    const timelineBefore = await eventually(() => getJson('/v1/customers/replay@example.com/timeline'), (page) => page.entries?.length === 1, 10_000);
    await eventually(consumerBacklog, (backlog) => backlog === 0, 10_000);
    const caseStamp = stack.serviceDesk.tickets.get(1)!.updated_at;
    const deskCallsBefore = stack.serviceDesk.stats.calls;
    const observer = await observeBus(stack.resources.busName);

    // The archive holds what will be replayed.
    const events = new EventBridgeClient({});
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: stack.resources.archiveName }));
    events.destroy();
    expect(archive.EventCount).toBeGreaterThanOrEqual(3);

    // Act
    const out: string[] = [];
    const code = await run(['ops', 'replay', '--stage', stage, '--from', started.toISOString(), '--to', new Date().toISOString(), '--endpoint', process.env.MOTO_ENDPOINT!], {
      stdout: (text) => out.push(text),
      stderr: (text) => out.push(text),
    });

    // Assess: the replayed events were consumed (the service-desk updater looked up the case again for
    // each status event, and every consumer queue is empty again)...
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/Replay .* COMPLETED \(all rules\)/);
    const replayed: string[] = [];
    await eventually(async () => replayed.push(...(await observer.drain()).map((event) => event.detail.eventId)), () => eventIds.every((id) => replayed.includes(id)), 10_000);
    observer.close();
    await eventually(async () => stack.serviceDesk.stats.calls - deskCallsBefore, (calls) => calls >= 2, 10_000);
    await eventually(consumerBacklog, (backlog) => backlog === 0, 10_000);
    // ...and changed nothing, but for when the desk side was last seen so: the replayed v2 found the case
    // showing it, a verification (updatedAt, the time of that record, moves with it).
    const after = await getJson('/v1/orders/SO-R1/sync');
    expect(after).toEqual({ ...before, serviceDesk: { ...before.serviceDesk, updatedAt: expect.any(String), verifiedAt: expect.any(String) } });
    expect(after.serviceDesk.verifiedAt >= before.serviceDesk.verifiedAt).toBe(true);
    expect(await getJson('/v1/customers/replay@example.com/timeline')).toEqual(timelineBefore);
    expect(stack.serviceDesk.tickets.get(1)!.updated_at).toBe(caseStamp);
    for (const queue of stack.resources.queues.values()) {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.deadLetterUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      expect([queue.spec.name, Attributes?.ApproximateNumberOfMessages]).toEqual([queue.spec.name, '0']);
    }
  });
});

import { DescribeArchiveCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_FIELD_IDS } from '../../functions/adapters/service-desk-zendesk';
import { startLocalStack, type LocalStack } from '../../local/runtime';
import { signStandardWebhook } from '../../local/sign';
import { run } from '../../ops/cli';
import { eventually, uniqueStage, useEmulator } from '../support/emulator';

const SECRET = 'whsec_' + Buffer.from('e2e-replay').toString('base64');

describe('replaying the archive on the local stack', () => {
  let stack: LocalStack;
  let stage: string;
  beforeAll(async () => {
    stage = uniqueStage('e2e-replay');
    stack = await startLocalStack({ port: 0, stage, emulatorEndpoint: useEmulator(), signingSecrets: { erp: [SECRET] }, visibilityTimeoutSeconds: 5 });
  }, 60_000);
  afterAll(() => stack?.stop());

  const send = (type: string, data: Record<string, unknown>) => {
    const rawBody = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
    return fetch(`${stack.url}/v1/webhooks/erp`, { method: 'POST', headers: signStandardWebhook(SECRET, rawBody), body: rawBody });
  };
  const getJson = async (path: string) => (await fetch(`${stack.url}${path}`)).json() as Promise<Record<string, any>>;

  it('changes nothing when consumers see every archived event again', async () => {
    // Prepare: an order in sync on its case, and a customer timeline.
    const started = new Date(Date.now() - 60_000);
    await fetch(`${stack.serviceDesk.url}/api/v2/tickets.json`, {
      method: 'POST',
      body: JSON.stringify({ ticket: { subject: 'replay', custom_fields: [{ id: DEFAULT_FIELD_IDS.orderId, value: 'SO-R1' }] } }),
    });
    await send('order.created', { orderId: 'SO-R1', occurredAt: new Date().toISOString(), customer: { email: 'replay@example.com' } });
    await send('order.status.changed', { orderId: 'SO-R1', status: 'confirmed', version: 1, occurredAt: new Date().toISOString() });
    await send('order.status.changed', { orderId: 'SO-R1', status: 'shipped', version: 2, occurredAt: new Date().toISOString() });
    const before = await eventually(() => getJson('/v1/orders/SO-R1/sync'), (view) => view.inSync === true && view.erp?.version === 2, 10_000);
    const timelineBefore = await eventually(() => getJson('/v1/customers/replay@example.com/timeline'), (page) => page.entries?.length === 1, 10_000);
    const caseStamp = stack.serviceDesk.tickets.get(1)!.updated_at;

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
    await new Promise((resolve) => setTimeout(resolve, 3000));

    // Assess
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/Replay .* COMPLETED \(all rules\)/);
    expect(await getJson('/v1/orders/SO-R1/sync')).toEqual(before);
    expect(await getJson('/v1/customers/replay@example.com/timeline')).toEqual(timelineBefore);
    expect(stack.serviceDesk.tickets.get(1)!.updated_at).toBe(caseStamp);
    const sqs = new SQSClient({});
    for (const queue of stack.resources.queues.values()) {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.deadLetterUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      expect([queue.spec.name, Attributes?.ApproximateNumberOfMessages]).toEqual([queue.spec.name, '0']);
    }
    sqs.destroy();
  });
});

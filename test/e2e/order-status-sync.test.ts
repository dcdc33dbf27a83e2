import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { enqueueErpCommands } from '../../functions/adapters/erp-command-queue';
import { DEFAULT_FIELD_IDS } from '../../functions/adapters/service-desk-zendesk';
import type { ErpCommand } from '../../functions/core/canonical/erp-command';
import { gatewayProblem } from '../../lib/gateway-problems';
import type { LocalStack } from '../../local/runtime';
import { signStandardWebhook } from '../../local/sign';
import { consumerBacklog as backlogOf } from '../support/consumer-backlog';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { eventually } from '../support/emulator';
import { linkCase as linkCaseIn } from '../support/service-desk-cases';
import { callerHeaders } from '../support/caller';

const CURRENT_SECRET = 'whsec_' + Buffer.from('e2e-current-erp-secret').toString('base64');
const PREVIOUS_SECRET = 'whsec_' + Buffer.from('e2e-previous-erp-secret').toString('base64');

describe('order status sync on the local stack', () => {
  let e2e: E2eStack;
  let stack: LocalStack;
  let observer: E2eStack['observer'];
  let sqs: SQSClient;

  beforeAll(async () => {
    e2e = await startE2eStack('e2e', { signingSecrets: { erp: [CURRENT_SECRET, PREVIOUS_SECRET] } });
    ({ stack, observer, sqs } = e2e);
  }, 60_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  const statusBody = (orderId: string, status: string, version: number) =>
    JSON.stringify({ type: 'order.status.changed', timestamp: new Date().toISOString(), data: { orderId, status, version, occurredAt: new Date().toISOString() } });

  const post = (rawBody: string, headers: Record<string, string>, source = 'erp') =>
    fetch(`${stack.url}/v1/webhooks/${source}`, { method: 'POST', headers, body: rawBody });

  const sendStatus = async (orderId: string, status: string, version: number, secret = CURRENT_SECRET) => {
    const rawBody = statusBody(orderId, status, version);
    const headers = signStandardWebhook(secret, rawBody);
    return { response: await post(rawBody, headers), rawBody, headers };
  };

  const linkCase = (orderId: string) => linkCaseIn(stack, orderId);

  /**
   * Every event published before a marker delivery, read off the bus once the marker is there: ingest
   * publishes before it answers, so anything an earlier request published is on the bus by then.
   */
  let markers = 0;
  const publishedBeforeMarker = async () => {
    const marker = await sendStatus(`SO-marker-${++markers}`, 'confirmed', 1);
    const { eventId } = (await marker.response.json()) as { eventId: string };
    const seen: Array<{ detail: { eventId: string } }> = [];
    await eventually(async () => seen.push(...(await observer.drain())), () => seen.some((event) => event.detail.eventId === eventId), 8_000);
    return seen.filter((event) => event.detail.eventId !== eventId);
  };
  const consumerBacklog = () => backlogOf(sqs, stack.resources.queues.values());

  const caseField = (caseId: number, field: number) => stack.serviceDesk.tickets.get(caseId)!.custom_fields.find((entry) => entry.id === field)?.value;
  const sync = async (orderId: string) => {
    const response = await fetch(`${stack.url}/v1/orders/${orderId}/sync`, { headers: callerHeaders });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('shows the new ERP status on the linked case and reports the order in sync', async () => {
    // Prepare
    const caseId = await linkCase('SO-100');

    // Act
    const { response } = await sendStatus('SO-100', 'confirmed', 1);

    // Assess
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ eventId: expect.stringMatching(/^evt_/), duplicate: false });
    const view = await eventually(() => sync('SO-100'), (result) => result.body.inSync === true, 8_000);
    expect(view.body).toEqual({
      orderId: 'SO-100',
      erp: { status: 'confirmed', version: 1, updatedAt: expect.any(String) },
      serviceDesk: { status: 'confirmed', version: 1, updatedAt: expect.any(String), verified: true, verifiedAt: expect.any(String), caseIds: [String(caseId)] },
      inSync: true,
    });
    expect(caseField(caseId, DEFAULT_FIELD_IDS.orderStatus)).toBe('confirmed');
    expect(caseField(caseId, DEFAULT_FIELD_IDS.orderVersion)).toBe('1');
  });

  it('changes nothing on a duplicate delivery', async () => {
    // Prepare
    const caseId = await linkCase('SO-200');
    const first = await sendStatus('SO-200', 'picking', 1);
    await eventually(() => sync('SO-200'), (result) => result.body.inSync === true, 8_000);
    const caseStamp = stack.serviceDesk.tickets.get(caseId)!.updated_at;
    await observer.drain();

    // Act
    const again = await post(first.rawBody, first.headers);

    // Assess
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ eventId: expect.any(String), duplicate: true });
    expect(await publishedBeforeMarker()).toEqual([]);
    expect(stack.serviceDesk.tickets.get(caseId)!.updated_at).toBe(caseStamp);
  });

  it('ignores an older version that arrives after a newer one', async () => {
    // Prepare
    const caseId = await linkCase('SO-300');
    expect((await sendStatus('SO-300', 'shipped', 3)).response.status).toBe(202);
    await eventually(() => sync('SO-300'), (result) => result.body.inSync === true, 8_000);
    await eventually(consumerBacklog, (backlog) => backlog === 0, 8_000);
    const deskCallsBefore = stack.serviceDesk.stats.calls;

    // Act
    const stale = await sendStatus('SO-300', 'picking', 2);

    // Assess: the stale event went out and was consumed (the updater read the case, the queues drained)...
    expect(stale.response.status).toBe(202);
    await eventually(async () => stack.serviceDesk.stats.calls - deskCallsBefore, (calls) => calls >= 2, 8_000);
    await eventually(consumerBacklog, (backlog) => backlog === 0, 8_000);
    // ...and moved nothing back.
    const view = await sync('SO-300');
    expect(view.body).toMatchObject({ erp: { status: 'shipped', version: 3 }, serviceDesk: { status: 'shipped', version: 3 }, inSync: true });
    expect(caseField(caseId, DEFAULT_FIELD_IDS.orderStatus)).toBe('shipped');
  });

  it('accepts a delivery signed with the previous secret during a rotation', async () => {
    // Act
    const { response } = await sendStatus('SO-400', 'confirmed', 1, PREVIOUS_SECRET);

    // Assess
    expect(response.status).toBe(202);
  });

  it('syncs the case even when the service desk rate-limits the first calls', async () => {
    // Prepare
    const caseId = await linkCase('SO-500');
    stack.serviceDesk.rateLimitNext(2, 1);

    // Act
    await sendStatus('SO-500', 'delivered', 5);

    // Assess
    await eventually(() => sync('SO-500'), (result) => result.body.inSync === true, 12_000);
    expect(caseField(caseId, DEFAULT_FIELD_IDS.orderStatus)).toBe('delivered');
  });

  describe('refused deliveries', () => {
    const cases: Array<[string, () => Promise<Response>, number, RegExp]> = [
      ['a bad signature', async () => post(statusBody('SO-X', 'confirmed', 1), { ...signStandardWebhook(CURRENT_SECRET, 'other'), 'content-type': 'application/json' }), 401, /does not match/],
      ['no signature headers', async () => post(statusBody('SO-X', 'confirmed', 1), { 'content-type': 'application/json' }), 401, /Missing Standard Webhooks header/],
      ['a stale timestamp', async () => {
        const body = statusBody('SO-X', 'confirmed', 1);
        return post(body, signStandardWebhook(CURRENT_SECRET, body, { timestamp: new Date(Date.now() - 6 * 60_000) }));
      }, 401, /5 minutes/],
      ['a malformed body', async () => post('{"type": "order.status', signStandardWebhook(CURRENT_SECRET, '{"type": "order.status')), 400, /not valid JSON/],
      ['a body failing validation', async () => {
        const body = statusBody('SO-X', 'teleported', 1);
        return post(body, signStandardWebhook(CURRENT_SECRET, body));
      }, 400, /data\.status/],
      ['an unknown source', async () => {
        const body = statusBody('SO-X', 'confirmed', 1);
        return post(body, signStandardWebhook(CURRENT_SECRET, body), 'acme');
      }, 404, /No webhook source named "acme"/],
    ];

    it.each(cases)('answers %s with problem+json and puts nothing on the bus', async (_label, send, status, detail) => {
      // Prepare
      await observer.drain();

      // Act
      const response = await send();

      // Assess
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await response.json()) as { detail: string }).toMatchObject({ status, detail: expect.stringMatching(detail) });
      expect(await publishedBeforeMarker()).toEqual([]);
    });
  });

  it('answers 404 for an order never seen', async () => {
    // Act
    const view = await sync('SO-never');

    // Assess
    expect(view.status).toBe(404);
    expect(view.body.detail).toMatch(/never been seen/);
  });

  it('answers the health check without credentials, with its stage and version', async () => {
    // Act
    const response = await fetch(`${stack.url}/v1/health`);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'retail-sync', stage: expect.stringMatching(/^e2e/), version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('serves the OpenAPI document without credentials, the one committed in docs/openapi.json', async () => {
    // Act
    const response = await fetch(`${stack.url}/v1/openapi.json`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual(JSON.parse(readFileSync(path.join(__dirname, '../../docs/openapi.json'), 'utf8')));
  });

  it.each([
    ['an unknown path', 'GET', '/v1/nothing-here'],
    ['a method the route does not take', 'GET', '/v1/webhooks/erp'],
  ])('answers %s with the problem+json 404 API Gateway answers', async (_label, method, path) => {
    // Act
    const response = await fetch(`${stack.url}${path}`, { method });

    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual(gatewayProblem('MISSING_AUTHENTICATION_TOKEN'));
  });

  describe('ERP command queue', () => {
    const queue = () => stack.resources.queues.get('erp-commands')!;
    const command = (commandId: string) => ({
      commandId,
      type: 'return-authorization.create',
      orderId: 'SO-600',
      correlationId: 'msg_e2e',
      requestedAt: new Date().toISOString(),
      payload: { lines: [{ sku: 'SKU-1', quantity: 1 }] },
    });

    const effectsOf = (commandId: string) => stack.erp.effects.filter((effect) => effect.externalDocumentNumber === commandId);
    const sendRaw = (body: unknown, id: string) =>
      sqs.send(new SendMessageCommand({ QueueUrl: queue().url, MessageBody: JSON.stringify(body), MessageGroupId: 'SO-600', MessageDeduplicationId: id }));

    it('executes a queued command in the ERP exactly once, even when it is queued twice', async () => {
      // Act
      await sendRaw(command('cmd-e2e-1'), 'first');
      await sendRaw(command('cmd-e2e-1'), 'second');

      // Assess: the command took effect, and once both copies were consumed it still had one effect.
      await eventually(async () => effectsOf('cmd-e2e-1').length, (count) => count === 1, 8_000);
      await eventually(consumerBacklog, (backlog) => backlog === 0, 8_000);
      expect(effectsOf('cmd-e2e-1')).toHaveLength(1);
    });

    it('retries through ERP faults without losing the command', async () => {
      // Prepare
      const faultsBefore = stack.erp.stats.faults;
      const callsBefore = stack.erp.stats.calls;
      stack.erp.failNext(2, 503);

      // Act
      await enqueueErpCommands(sqs, queue().url, [command('cmd-e2e-2') as ErpCommand]);

      // Assess: the command took effect once, after both injected 503s were answered to the dispatcher.
      await eventually(async () => effectsOf('cmd-e2e-2').length, (count) => count === 1, 15_000);
      expect(stack.erp.stats.faults - faultsBefore).toBe(2);
      expect(stack.erp.stats.calls - callsBefore).toBeGreaterThanOrEqual(3);
      expect(effectsOf('cmd-e2e-2')).toHaveLength(1);
    });

    it('sends a malformed command straight to the DLQ with its error class', async () => {
      // Act
      await sendRaw({ commandId: 'cmd-bad', type: 'teleport' }, 'bad');

      // Assess
      const [dead] = await eventually(
        async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue().deadLetterUrl, MessageAttributeNames: ['All'] }))).Messages ?? [],
        (messages) => messages.length > 0,
        8_000,
      );
      expect(dead!.MessageAttributes?.errorClass?.StringValue).toBe('validation');
      expect(dead!.MessageAttributes?.errorMessage?.StringValue).toMatch(/type/);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue().url, AttributeNames: ['ApproximateNumberOfMessages'] }));
      expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    });
  });
});

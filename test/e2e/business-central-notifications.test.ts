import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { clientStateFor } from '../../functions/core/connectors/business-central';
import type { LocalStack } from '../../local/runtime';
import { SIM_COMPANY_ID } from '../../local/simulators/erp';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { eventually } from '../support/emulator';
import { caseShows as caseShowsIn, linkCase as linkCaseIn } from '../support/service-desk-cases';
import { callerHeaders } from '../support/caller';

const CLIENT_STATE_KEY = 'e2e-businesscentral-client-state-key';
const SALES_ORDERS = `api/v2.0/companies(${SIM_COMPANY_ID})/salesOrders`;

/**
 * Business Central's path end to end: the product subscribes (handshake included), the ERP simulator
 * notifies a change like Business Central, and the product reads the order through the ERP gate and
 * brings the case up to date, with no signed webhook anywhere.
 */
describe('Business Central change notifications on the local stack', () => {
  let e2e: E2eStack;
  let stack: LocalStack;

  beforeAll(async () => {
    e2e = await startE2eStack('e2e-bc', { signingSecrets: { businesscentral: [CLIENT_STATE_KEY] } });
    ({ stack } = e2e);
  }, 60_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  const linkCase = (orderId: string) => linkCaseIn(stack, orderId);
  const caseShows = (caseId: number) => caseShowsIn(stack, caseId);
  /** What EventBridge's schedule delivers to the queue (the local stack's timer sends the same). */
  const subscriptionCheck = () =>
    e2e.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.resources.queues.get('erp-notifications')!.url,
        MessageBody: JSON.stringify({ version: '0', id: 'tick', 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), region: process.env.AWS_REGION, resources: [], detail: {} }),
      }),
    );

  it('subscribes, then follows an order the ERP changes from its notifications alone', async () => {
    // Prepare
    const caseId = await linkCase('SO-BC1');

    // Act
    await subscriptionCheck();
    const subscription = await eventually(async () => [...stack.erp.subscriptions.values()][0], (found) => found !== undefined, 10_000);
    const confirmed = stack.erp.setOrder('SO-BC1', { status: 'Open' });
    await eventually(async () => caseShows(caseId), (shown) => shown === `confirmed v${confirmed}`, 10_000);
    const shipped = stack.erp.setOrder('SO-BC1', { status: 'Open', fullyShipped: true });

    // Assess
    expect(subscription).toMatchObject({ notificationUrl: `${stack.url}/v1/webhooks/businesscentral`, resource: SALES_ORDERS, clientState: clientStateFor(CLIENT_STATE_KEY, SALES_ORDERS) });
    await eventually(async () => caseShows(caseId), (shown) => shown === `shipped v${shipped}`, 10_000);
    // The sync state is another consumer of the same event: it may come a moment after the case.
    const sync = await eventually(async () => (await (await fetch(`${stack.url}/v1/orders/SO-BC1/sync`, { headers: callerHeaders })).json()) as { erp: { status: string; version: number } | null }, (view) => view.erp?.version === shipped, 10_000);
    expect(sync.erp).toMatchObject({ status: 'shipped', version: shipped });
    expect(stack.erp.notifications.map((notification) => notification.status)).toEqual([202, 202]);

    // A second check keeps the live subscription rather than making another.
    await subscriptionCheck();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(stack.erp.subscriptions.size).toBe(1);
  });

  it('refuses a notification without the clientState of a subscription the product made, and reads nothing', async () => {
    // Prepare
    const body = JSON.stringify({
      value: [{ subscriptionId: 'forged', clientState: clientStateFor('guessed-key', SALES_ORDERS), expirationDateTime: new Date().toISOString(), resource: `${SALES_ORDERS}(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)`, changeType: 'updated', lastModifiedDateTime: new Date().toISOString() }],
    });
    const callsBefore = stack.erp.stats.calls;

    // Act
    const response = await fetch(`${stack.url}/v1/webhooks/businesscentral`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stack.erp.stats.calls).toBe(callsBefore);
  });

  it('echoes the validation token of a handshake as text', async () => {
    // Act
    const response = await fetch(`${stack.url}/v1/webhooks/businesscentral?validationToken=abc-123`, { method: 'POST' });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('abc-123');
  });
});

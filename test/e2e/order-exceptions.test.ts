import { LOCAL_SERVICE_DESK_AUTHORIZATION } from '../../local/dev-credentials';
import { createHmac } from 'node:crypto';
import { DEFAULT_FIELD_IDS } from '../../functions/adapters/service-desk-zendesk';
import { RESOLUTION_REQUESTED_TYPE } from '../../functions/core/connectors/zendesk';
import { workflowIdFor } from '../../functions/core/workflows/refund-or-replacement';
import type { LocalStack } from '../../local/runtime';
import { signStandardWebhook } from '../../local/sign';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';
import { eventually } from '../support/emulator';
import { callerHeaders } from '../support/caller';

/**
 * Resolutions the product starts without the API: a delivery exception from the 3PL opens the order's
 * case with the ERP's status and starts what the policy names; a Zendesk trigger asks for a refund or
 * replacement on its ticket. Both on the local stack, end to end.
 */

const SECRETS = { '3pl': 'whsec_' + Buffer.from('e2e-exc-3pl').toString('base64'), zendesk: 'e2e-exc-zendesk' };
const DAY_MS = 86_400_000;

describe('order exceptions and resolutions started from the service desk', () => {
  let e2e: E2eStack;
  let stack: LocalStack;

  beforeAll(async () => {
    e2e = await startE2eStack('e2e-exc', { signingSecrets: { '3pl': [SECRETS['3pl']], zendesk: [SECRETS.zendesk] } });
    ({ stack } = e2e);
  }, 90_000);
  afterAll(async () => {
    await e2e?.stop();
  });

  const shippedOrder = (orderId: string) => {
    stack.erp.setOrder(orderId, 'shipped');
    stack.erp.setOrderLines(orderId, [{ sku: 'LAMP-RED', quantity: 1, shippedQuantity: 1, unitPrice: 49 }], {
      currencyCode: 'EUR',
      shipToCountry: 'DE',
      shipmentDate: new Date(Date.now() - 2 * DAY_MS).toISOString().slice(0, 10),
    });
    stack.erp.setInventory('LAMP-RED', [{ locationCode: 'MAIN', inventory: 3 }]);
  };
  const workflow = async (workflowId: string) => {
    const response = await fetch(`${stack.url}/v1/workflows/${workflowId}`, { headers: callerHeaders });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const settled = (workflowId: string) =>
    eventually(() => workflow(workflowId), (found) => found.status === 200 && ['resolved', 'exception', 'rejected', 'abandoned'].includes(found.body.state), 60_000, 250);
  const documentsOf = (workflowId: string) => stack.erp.effects.filter((effect) => effect.externalDocumentNumber.startsWith(`${workflowId}.`)).map((effect) => effect.externalDocumentNumber.slice(workflowId.length + 1)).sort();
  const ticketOf = (orderId: string) => [...stack.serviceDesk.tickets.values()].find((ticket) => ticket.custom_fields.some((field) => field.id === DEFAULT_FIELD_IDS.orderId && field.value === orderId));
  const zendesk = (body: Record<string, unknown>) => {
    const rawBody = JSON.stringify(body);
    const timestamp = new Date().toISOString();
    const signature = createHmac('sha256', SECRETS.zendesk).update(timestamp + rawBody).digest('base64');
    return fetch(`${stack.url}/v1/webhooks/zendesk`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Zendesk-Webhook-Signature': signature, 'X-Zendesk-Webhook-Signature-Timestamp': timestamp }, body: rawBody });
  };

  it("opens the order's case with the ERP's status and the exception, and replaces the lost parcel as the policy says", async () => {
    // Prepare
    const orderId = 'SO-EXC-1';
    shippedOrder(orderId);
    const rawBody = JSON.stringify({
      type: 'shipment.exception',
      timestamp: new Date().toISOString(),
      data: { shipmentId: 'SH-EXC-1', orderId, occurredAt: new Date().toISOString(), carrier: 'DHL', exception: 'parcel lost in the depot', lines: [{ sku: 'LAMP-RED', quantity: 1 }] },
    });

    // Act
    const delivered = await fetch(`${stack.url}/v1/webhooks/3pl`, { method: 'POST', headers: signStandardWebhook(SECRETS['3pl'], rawBody), body: rawBody });
    const ticket = await eventually(async () => ticketOf(orderId), (found) => found !== undefined, 30_000, 200);
    const caseId = String(ticket!.id);
    const workflowId = workflowIdFor(caseId, { orderId, lines: [{ sku: 'LAMP-RED', quantity: 1, reason: 'lost-in-transit' }] });
    const done = await settled(workflowId);

    // Assess
    expect(delivered.status).toBe(202);
    const notes = (stack.serviceDesk.comments.get(ticket!.id) ?? []).map((comment) => comment.body);
    expect(notes[0]).toBe(`Opened by retail-sync for a delivery exception on order ${orderId}.`);
    expect(notes[1]).toMatch(new RegExp(`^Delivery exception on shipment SH-EXC-1 \\(DHL\\): parcel lost in the depot\\. The ERP shows order ${orderId} as shipped\\.`));
    expect(done.body).toMatchObject({ state: 'resolved', resolution: 'replacement', caseId, orderId });
    expect(done.body.history[0]).toMatchObject({ milestone: 'received', actor: 'system', cause: expect.stringContaining('system:shipment-exception') });
    expect(documentsOf(workflowId)).toEqual(['replacement-order', 'return-authorization']);
  }, 90_000);

  it('starts the workflow a Zendesk trigger asks for, once however often the trigger fires', async () => {
    // Prepare
    const orderId = 'SO-EXC-2';
    shippedOrder(orderId);
    const created = await fetch(`${stack.serviceDesk.url}/api/v2/tickets.json`, { method: 'POST', headers: { authorization: LOCAL_SERVICE_DESK_AUTHORIZATION }, body: JSON.stringify({ ticket: { subject: 'Lamp arrived broken' } }) });
    const caseId = String(((await created.json()) as { ticket: { id: number } }).ticket.id);
    const trigger = (id: string) => ({
      id,
      type: RESOLUTION_REQUESTED_TYPE,
      time: new Date().toISOString(),
      ticketId: caseId,
      orderId,
      preferred: 'refund',
      lines: 'LAMP-RED:1:damaged',
      requestedBy: 'agent@example.com',
    });

    // Act
    const first = await zendesk(trigger(`rs-${caseId}-1`));
    const second = await zendesk(trigger(`rs-${caseId}-2`));
    const workflowId = workflowIdFor(caseId, { orderId, lines: [{ sku: 'LAMP-RED', quantity: 1, reason: 'damaged' }] });
    const done = await settled(workflowId);

    // Assess
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(done.body).toMatchObject({ state: 'resolved', resolution: 'refund', caseId });
    expect(documentsOf(workflowId)).toEqual(['refund', 'return-authorization']);
  }, 90_000);

  it('refuses a trigger whose lines do not read, at the edge with a 400 naming the entry', async () => {
    // Act
    const response = await zendesk({ id: 'rs-bad-1', type: RESOLUTION_REQUESTED_TYPE, time: new Date().toISOString(), ticketId: '1', orderId: 'SO-EXC-2', preferred: 'refund', lines: 'LAMP-RED x1', requestedBy: 'agent@example.com' });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ path: 'lines.0', message: '"LAMP-RED x1" is not SKU:QUANTITY:REASON' }] });
  });
});

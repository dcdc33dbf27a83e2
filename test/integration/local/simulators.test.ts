import { makeBusinessCentralResolutionReads } from '../../../functions/adapters/erp-business-central-resolution';
import { startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';
import { startServiceDeskSimulator } from '../../../local/simulators/service-desk';

describe('ERP simulator controls', () => {
  let simulator: ErpSimulator;
  beforeEach(async () => {
    simulator = await startErpSimulator();
  });
  afterEach(() => simulator.close());

  const post = (path: string, body: unknown) =>
    fetch(`${simulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('seeds an order with lines over HTTP, as the ERP then reports it', async () => {
    // Act
    const response = await post('/_sim/orders', {
      number: 'SO-42',
      status: 'Open',
      fullyShipped: true,
      currencyCode: 'GBP',
      shipToCountry: 'GB',
      shipmentDate: '2026-11-25',
      lines: [{ sku: 'LAMP', quantity: 1, shippedQuantity: 1, unitPrice: 40 }],
    });

    // Assess
    expect(response.status).toBe(201);
    const order = await makeBusinessCentralResolutionReads({ baseUrl: simulator.url }).orderForResolution('SO-42');
    expect(order).toMatchObject({ status: 'shipped', region: 'GB', currency: 'GBP', shippedAt: '2026-11-25', lines: [{ sku: 'LAMP', unitPrice: '40' }] });
  });

  it('seeds the stock of a SKU over HTTP', async () => {
    // Act
    const response = await post('/_sim/inventory', { sku: 'LAMP', levels: [{ locationCode: 'DC1', inventory: 4 }, { locationCode: 'DC2', inventory: 1 }] });

    // Assess
    expect(response.status).toBe(201);
    expect(await makeBusinessCentralResolutionReads({ baseUrl: simulator.url }).availableStock('LAMP')).toBe(5);
  });

  it.each([
    ['an order without a status', '/_sim/orders', { number: 'SO-1', lines: [] }],
    ['an order with a version (Business Central versions by lastModifiedDateTime)', '/_sim/orders', { number: 'SO-1', status: 'Open', version: 2 }],
    ['an order line without a shipped quantity', '/_sim/orders', { number: 'SO-1', status: 'shipped', lines: [{ sku: 'LAMP', quantity: 1 }] }],
    ['stock without levels', '/_sim/inventory', { sku: 'LAMP' }],
  ])('refuses %s', async (_, path, body) => {
    // Act
    const response = await post(path, body);

    // Assess
    expect(response.status).toBe(400);
  });

  it('keeps an order seeded with setOrder readable without lines, and its details when its status changes', async () => {
    // Prepare
    const first = simulator.setOrder('SO-7', 'confirmed');
    simulator.setOrderLines('SO-7', [], { currencyCode: 'EUR' });

    // Act
    const second = simulator.setOrder('SO-7', { status: 'Open', fullyShipped: true });

    // Assess
    expect(second).toBeGreaterThan(first);
    const order = await makeBusinessCentralResolutionReads({ baseUrl: simulator.url }).orderForResolution('SO-7');
    expect(order).toEqual({ orderId: 'SO-7', status: 'shipped', currency: 'EUR', lines: [] });
    expect(simulator.duplicates()).toBe(0);
  });
});

describe('simulator fault controls over HTTP (what an ops engineer drives with curl)', () => {
  it('makes the ERP fail, slow down and go down on request', async () => {
    // Prepare
    const erp = await startErpSimulator();
    erp.setOrder('SO-F', 'shipped');
    const post = (path: string, body: unknown) => fetch(`${erp.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    const read = () => fetch(`${erp.url}/salesOrders?$filter=number eq 'SO-F'`);
    try {
      // Act
      const faults = await post('/_sim/faults', { count: 2, status: 500 });
      const failed = [(await read()).status, (await read()).status, (await read()).status];
      await post('/_sim/latency', { ms: 300 });
      const started = Date.now();
      await read();
      const tookMs = Date.now() - started;
      await post('/_sim/latency', { ms: 0 });
      await post('/_sim/outage', { seconds: 60 });
      const down = (await read()).status;
      await post('/_sim/outage', { seconds: 0 });
      const refused = await post('/_sim/faults', { count: 'many' });

      // Assess
      expect(faults.status).toBe(204);
      expect(failed).toEqual([500, 500, 200]);
      expect(tookMs).toBeGreaterThanOrEqual(300);
      expect(down).toBe(503);
      expect((await read()).status).toBe(200);
      expect(refused.status).toBe(400);
    } finally {
      await erp.close();
    }
  });

  it('makes the service desk refuse ticket updates with 422 until the fault is cleared', async () => {
    // Prepare
    const desk = await startServiceDeskSimulator();
    const created = (await (await fetch(`${desk.url}/api/v2/tickets.json`, { method: 'POST', body: JSON.stringify({ ticket: { subject: 'x', custom_fields: [{ id: 1, value: 'a' }] } }) })).json()) as { ticket: { id: number } };
    const post = (body: unknown) => fetch(`${desk.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) });
    const update = (value: string) => fetch(`${desk.url}/api/v2/tickets/${created.ticket.id}.json`, { method: 'PUT', body: JSON.stringify({ ticket: { custom_fields: [{ id: 1, value }] } }) });
    try {
      // Act
      const faults = await post({ count: 100, status: 422 });
      const refused = await update('b');
      const read = await fetch(`${desk.url}/api/v2/tickets/${created.ticket.id}.json`);
      await post({ count: 0 });
      const accepted = await update('c');
      const invalid = await post({ count: 1, status: 200 });

      // Assess: only updates fail, with Zendesk's error, and nothing changes until the fault is cleared.
      expect(faults.status).toBe(204);
      expect(refused.status).toBe(422);
      expect(await refused.json()).toMatchObject({ error: 'RecordInvalid' });
      expect(read.status).toBe(200);
      expect(accepted.status).toBe(200);
      expect(desk.tickets.get(created.ticket.id)!.custom_fields).toEqual([{ id: 1, value: 'c' }]);
      expect(invalid.status).toBe(400);
    } finally {
      await desk.close();
    }
  });

  it.each([
    ['in-answer', 'a'],
    ['after-answer', 'b'],
  ])('makes the service desk lose updates (%s: the answer shows %s) and lists what it holds', async (when, answered) => {
    // Prepare
    const desk = await startServiceDeskSimulator();
    const created = (await (await fetch(`${desk.url}/api/v2/tickets.json`, { method: 'POST', body: JSON.stringify({ ticket: { subject: 'x', custom_fields: [{ id: 1, value: 'a' }] } }) })).json()) as { ticket: { id: number; updated_at: string } };
    try {
      // Act
      await fetch(`${desk.url}/_sim/lose-updates`, { method: 'POST', body: JSON.stringify({ count: 1, when }) });
      const update = await fetch(`${desk.url}/api/v2/tickets/${created.ticket.id}.json`, { method: 'PUT', body: JSON.stringify({ ticket: { custom_fields: [{ id: 1, value: 'b' }] } }) });
      const answer = (await update.json()) as { ticket: { custom_fields: Array<{ id: number; value: unknown }>; updated_at: string } };
      const listed = (await (await fetch(`${desk.url}/_sim/tickets`)).json()) as { tickets: Array<{ id: number; custom_fields: Array<{ value: unknown }> }> };
      const read = (await (await fetch(`${desk.url}/api/v2/tickets/${created.ticket.id}.json`)).json()) as { ticket: { updated_at: string } };

      // Assess: the update answered 200, but the ticket kept its value, under a newer stamp (it was changed and changed back).
      expect(update.status).toBe(200);
      expect(answer.ticket.custom_fields).toEqual([{ id: 1, value: answered }]);
      expect(listed.tickets).toEqual([expect.objectContaining({ id: created.ticket.id, custom_fields: [{ id: 1, value: 'a' }] })]);
      expect(read.ticket.updated_at > created.ticket.updated_at).toBe(true);
    } finally {
      await desk.close();
    }
  });

  it('tells a listener of each ticket update it applies, and of none it loses or after the listener stops', async () => {
    // Prepare
    const desk = await startServiceDeskSimulator();
    const created = (await (await fetch(`${desk.url}/api/v2/tickets.json`, { method: 'POST', body: JSON.stringify({ ticket: { subject: 'x', custom_fields: [{ id: 1, value: 'a' }] } }) })).json()) as { ticket: { id: number } };
    const update = (value: string) => fetch(`${desk.url}/api/v2/tickets/${created.ticket.id}.json`, { method: 'PUT', body: JSON.stringify({ ticket: { custom_fields: [{ id: 1, value }] } }) });
    const seen: unknown[] = [];
    const stop = desk.onTicketUpdated((ticket) => seen.push(structuredClone(ticket.custom_fields)));
    try {
      // Act
      await update('b');
      desk.loseNextUpdates(1);
      await update('c');
      stop();
      await update('d');

      // Assess
      expect(seen).toEqual([[{ id: 1, value: 'b' }]]);
    } finally {
      await desk.close();
    }
  });

});

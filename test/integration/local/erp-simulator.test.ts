import { makeBusinessCentralResolutionReads } from '../../../functions/adapters/erp-business-central-resolution';
import { startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';

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
      status: 'shipped',
      version: 2,
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
    simulator.setOrder('SO-7', 'shipped', 1);
    simulator.setOrderLines('SO-7', [], { currencyCode: 'EUR' });

    // Act
    simulator.setOrder('SO-7', 'delivered', 2);

    // Assess
    const order = await makeBusinessCentralResolutionReads({ baseUrl: simulator.url }).orderForResolution('SO-7');
    expect(order).toEqual({ orderId: 'SO-7', status: 'delivered', currency: 'EUR', lines: [] });
    expect(simulator.duplicates()).toBe(0);
  });
});

import { makeBusinessCentralErp } from '../../../functions/adapters/erp-business-central';
import { makeBusinessCentralResolutionReads } from '../../../functions/adapters/erp-business-central-resolution';
import type { ErpCommand } from '../../../functions/core/canonical/erp-command';
import { OutOfStockError, PermanentError } from '../../../functions/core/errors';
import { startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';

const command = (commandId: string, type: ErpCommand['type'], lines: Array<{ sku: string; quantity: number }>, orderId = 'SO-1'): ErpCommand => ({
  commandId,
  type,
  orderId,
  correlationId: 'msg_1',
  requestedAt: '2026-11-27T10:00:00Z',
  payload: { lines: lines.map((line, index) => ({ lineId: String((index + 1) * 10000), reason: 'damaged', ...line })) },
});

describe('Business Central-shaped resolution reads against the simulator', () => {
  let simulator: ErpSimulator;
  beforeEach(async () => {
    simulator = await startErpSimulator();
    simulator.setOrder('SO-1', { status: 'Open', fullyShipped: true });
    simulator.setOrderLines(
      'SO-1',
      [
        { sku: 'MUG-BLUE', quantity: 2, shippedQuantity: 2, unitPrice: 12.5 },
        { sku: 'PLATE', quantity: 4, shippedQuantity: 3, unitPrice: 8 },
      ],
      { currencyCode: 'EUR', shipToCountry: 'DE', shipmentDate: '2026-11-20' },
    );
  });
  afterEach(() => simulator.close());

  it('reads the order with its lines, currency, ship-to country and shipment date', async () => {
    // Prepare
    const reads = makeBusinessCentralResolutionReads({ baseUrl: simulator.url });

    // Act
    const order = await reads.orderForResolution('SO-1');

    // Assess
    expect(order).toEqual({
      orderId: 'SO-1',
      status: 'shipped',
      region: 'DE',
      currency: 'EUR',
      shippedAt: '2026-11-20',
      lines: [
        { lineId: '10000', sku: 'MUG-BLUE', quantity: 2, shippedQuantity: 2, resolvedQuantity: 0, unitPrice: '12.5' },
        { lineId: '20000', sku: 'PLATE', quantity: 4, shippedQuantity: 3, resolvedQuantity: 0, unitPrice: '8' },
      ],
    });
  });

  it('reads no order for an order number the ERP does not know', async () => {
    // Prepare
    const reads = makeBusinessCentralResolutionReads({ baseUrl: simulator.url });

    // Act
    const order = await reads.orderForResolution('SO-missing');

    // Assess
    expect(order).toBeUndefined();
  });

  it('counts units already resolved once per workflow, over every workflow of the order and none of another order', async () => {
    // Prepare: wf-1 authorized a return of one mug and refunded it; wf-2 replaced one plate; another order's refund.
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    await erp.create(command('wf-1.return-authorization', 'return-authorization.create', [{ sku: 'MUG-BLUE', quantity: 1 }]));
    await erp.create(command('wf-1.refund', 'refund.issue', [{ sku: 'MUG-BLUE', quantity: 1 }]));
    await erp.create(command('wf-2.replacement-order', 'replacement-order.create', [{ sku: 'PLATE', quantity: 1 }]));
    simulator.setOrder('SO-2', 'delivered');
    await erp.create(command('wf-3.refund', 'refund.issue', [{ sku: 'MUG-BLUE', quantity: 2 }], 'SO-2'));
    const reads = makeBusinessCentralResolutionReads({ baseUrl: simulator.url });

    // Act
    const order = await reads.orderForResolution('SO-1');

    // Assess
    expect(order?.lines.map((line) => [line.sku, line.resolvedQuantity])).toEqual([
      ['MUG-BLUE', 1],
      ['PLATE', 1],
    ]);
  });

  it('sums the stock of a SKU over its locations', async () => {
    // Prepare
    simulator.setInventory('MUG-BLUE', [{ locationCode: 'DC1', inventory: 3 }, { locationCode: 'STORE-7', inventory: 2 }]);
    const reads = makeBusinessCentralResolutionReads({ baseUrl: simulator.url });

    // Act
    const stock = await Promise.all([reads.availableStock('MUG-BLUE'), reads.availableStock('UNKNOWN')]);

    // Assess
    expect(stock).toEqual([5, 0]);
  });

  it('refuses an order in a status the product does not know', async () => {
    // Prepare
    simulator.setOrder('SO-1', 'on_hold');
    const reads = makeBusinessCentralResolutionReads({ baseUrl: simulator.url });

    // Act
    const reading = reads.orderForResolution('SO-1');

    // Assess
    await expect(reading).rejects.toBeInstanceOf(PermanentError);
  });
});

describe('Business Central-shaped replacement orders against the simulator stock', () => {
  let simulator: ErpSimulator;
  beforeEach(async () => {
    simulator = await startErpSimulator();
    simulator.setInventory('MUG-BLUE', [{ locationCode: 'DC1', inventory: 1 }, { locationCode: 'STORE-7', inventory: 1 }]);
  });
  afterEach(() => simulator.close());

  it('reports a replacement order refused for want of stock as out of stock, and creates nothing', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });

    // Act
    const error = await erp.create(command('wf-1.replacement-order', 'replacement-order.create', [{ sku: 'MUG-BLUE', quantity: 3 }])).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(OutOfStockError);
    expect((error as OutOfStockError).context).toMatchObject({ status: 400, sku: 'MUG-BLUE' });
    expect(simulator.effects).toHaveLength(0);
    expect(await makeBusinessCentralResolutionReads({ baseUrl: simulator.url }).availableStock('MUG-BLUE')).toBe(2);
  });

  it('takes the stock of an accepted replacement order', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });

    // Act
    await erp.create(command('wf-1.replacement-order', 'replacement-order.create', [{ sku: 'MUG-BLUE', quantity: 2 }]));

    // Assess
    expect(simulator.effects).toHaveLength(1);
    expect(await makeBusinessCentralResolutionReads({ baseUrl: simulator.url }).availableStock('MUG-BLUE')).toBe(0);
  });

  it('keeps any other refusal a plain permanent error', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    simulator.failNext(1, 400);

    // Act
    const error = await erp.create(command('wf-1.replacement-order', 'replacement-order.create', [{ sku: 'MUG-BLUE', quantity: 1 }])).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).not.toBeInstanceOf(OutOfStockError);
  });
});

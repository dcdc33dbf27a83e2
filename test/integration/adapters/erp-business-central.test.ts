import { makeBusinessCentralErp } from '../../../functions/adapters/erp-business-central';
import type { ErpCommand } from '../../../functions/core/canonical/erp-command';
import { PermanentError, RateLimitedError, TransientError } from '../../../functions/core/errors';
import { startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';

const command = (commandId: string, type: ErpCommand['type'] = 'return-authorization.create'): ErpCommand => ({
  commandId,
  type,
  orderId: 'SO-1',
  correlationId: 'msg_1',
  requestedAt: '2026-11-27T10:00:00Z',
  payload: { lines: [{ sku: 'SKU-1', quantity: 1 }] },
});

describe('Business Central-shaped ERP adapter against the simulator', () => {
  let simulator: ErpSimulator;
  beforeEach(async () => {
    simulator = await startErpSimulator();
  });
  afterEach(() => simulator.close());

  it('creates the document in the entity set of the command, stamped with the command id', async () => {
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    const receipt = await erp.create(command('cmd-1'));
    expect(receipt.replayed).toBe(false);
    expect(simulator.effects).toEqual([expect.objectContaining({ externalDocumentNumber: 'cmd-1', entitySet: 'salesReturnOrders', number: receipt.erpReference })]);
    expect(simulator.effects[0]!.body).toMatchObject({ orderNumber: 'SO-1', lines: [{ sku: 'SKU-1', quantity: 1 }] });
  });

  it('finds the effect of an earlier attempt by the command id, and nothing for a new command', async () => {
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    const created = await erp.create(command("cmd-'2", 'refund.issue'));
    expect(await erp.findEffect(command("cmd-'2", 'refund.issue'))).toEqual({ erpReference: created.erpReference, replayed: true });
    expect(await erp.findEffect(command('cmd-new', 'refund.issue'))).toBeUndefined();
  });

  it('reads an order and inventory levels', async () => {
    simulator.setOrder('SO-9', 'shipped', 4);
    simulator.setInventory('SKU-9', [{ locationCode: 'DC1', inventory: 12 }, { locationCode: 'STORE-7', inventory: 0 }]);
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    expect(await erp.getOrder('SO-9')).toMatchObject({ orderId: 'SO-9', status: 'shipped', version: 4 });
    expect(await erp.getOrder('SO-missing')).toBeUndefined();
    expect(await erp.getInventory('SKU-9')).toEqual([
      { sku: 'SKU-9', location: 'DC1', available: 12 },
      { sku: 'SKU-9', location: 'STORE-7', available: 0 },
    ]);
  });

  it('classifies ERP faults', async () => {
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    simulator.failNext(1, 503);
    await expect(erp.create(command('cmd-3'))).rejects.toBeInstanceOf(TransientError);
    simulator.failNext(1, 400);
    await expect(erp.create(command('cmd-4'))).rejects.toBeInstanceOf(PermanentError);
    expect(simulator.effects).toHaveLength(0);
  });

  it('reports a hung call as a transient timeout, though the ERP may have acted', async () => {
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url, timeoutMs: 100 });
    simulator.hangNext(1, 300);
    const error = await erp.create(command('cmd-hang')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).context.timeout).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(simulator.effects.map((effect) => effect.externalDocumentNumber)).toEqual(['cmd-hang']);
  });

  it('reports the ERP rate limit with Retry-After', async () => {
    await simulator.close();
    simulator = await startErpSimulator({ requestsPerSecond: 1 });
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    await erp.create(command('cmd-5'));
    const error = await erp.create(command('cmd-6')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(1);
    expect(simulator.stats.rejectedOverLimit).toBe(1);
  });
});

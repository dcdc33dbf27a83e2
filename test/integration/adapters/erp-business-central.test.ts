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
    simulator = await startErpSimulator({ requestsPerSecond: 1000 });
  });
  afterEach(() => simulator.close());

  it('creates the document in the entity set of the command, keyed by the command id', async () => {
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    const receipt = await erp.execute(command('cmd-1'));
    expect(receipt.replayed).toBe(false);
    expect(simulator.effects).toEqual([
      expect.objectContaining({ idempotencyKey: 'cmd-1', entitySet: 'salesReturnOrders', number: receipt.erpReference }),
    ]);
    expect(simulator.effects[0]!.body).toMatchObject({ externalDocumentNumber: 'cmd-1', orderNumber: 'SO-1' });
  });

  it('never creates a second document when a command is retried', async () => {
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    const first = await erp.execute(command('cmd-2', 'refund.issue'));
    const retried = await erp.execute(command('cmd-2', 'refund.issue'));
    expect(retried).toEqual({ erpReference: first.erpReference, replayed: true });
    expect(simulator.effects).toHaveLength(1);
  });

  it('classifies ERP faults', async () => {
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    simulator.failNext(1, 503);
    await expect(erp.execute(command('cmd-3'))).rejects.toBeInstanceOf(TransientError);
    simulator.failNext(1, 400);
    await expect(erp.execute(command('cmd-4'))).rejects.toBeInstanceOf(PermanentError);
    expect(simulator.effects).toHaveLength(0);
  });

  it('reports the ERP rate limit with Retry-After', async () => {
    await simulator.close();
    simulator = await startErpSimulator({ requestsPerSecond: 1 });
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    await erp.execute(command('cmd-5'));
    const error = await erp.execute(command('cmd-6')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(1);
    expect(simulator.stats.rejectedOverLimit).toBe(1);
  });
});

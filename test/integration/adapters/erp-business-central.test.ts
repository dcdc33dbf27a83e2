import { isOwnOrderPageCursor, makeBusinessCentralErp } from '../../../functions/adapters/erp-business-central';
import type { ErpCommand } from '../../../functions/core/canonical/erp-command';
import { PermanentError, RateLimitedError, TransientError, ValidationError } from '../../../functions/core/errors';
import { SIM_COMPANY_ID, startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';
import { eventually } from '../../support/emulator';

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
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });

    // Act
    const receipt = await erp.create(command('cmd-1'));

    // Assess
    expect(receipt.replayed).toBe(false);
    expect(simulator.effects).toEqual([expect.objectContaining({ externalDocumentNumber: 'cmd-1', entitySet: 'salesReturnOrders', number: receipt.erpReference })]);
    expect(simulator.effects[0]!.body).toMatchObject({ orderNumber: 'SO-1', lines: [{ sku: 'SKU-1', quantity: 1 }] });
  });

  it('finds the effect of an earlier attempt by the command id, quotes and all', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    const created = await erp.create(command("cmd-'2", 'refund.issue'));

    // Act
    const found = await erp.findEffect(command("cmd-'2", 'refund.issue'));

    // Assess
    expect(found).toEqual({ erpReference: created.erpReference, replayed: true });
  });

  it('cancels a return authorization by deleting the unposted return order, once', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    const created = await erp.create(command('rr-1.return-authorization'));
    const cancel: ErpCommand = { ...command('rr-1.return-authorization-cancel', 'return-authorization.cancel'), payload: { returnCommandId: 'rr-1.return-authorization', returnReference: created.erpReference } };

    // Act
    const before = await erp.findEffect(cancel);
    const cancelled = await erp.create(cancel);
    const after = await erp.findEffect(cancel);
    const again = await erp.create(cancel);

    // Assess
    expect(before).toBeUndefined();
    expect(cancelled).toEqual({ erpReference: created.erpReference, replayed: false });
    expect(after).toEqual({ erpReference: created.erpReference, replayed: true });
    expect(again).toEqual({ erpReference: created.erpReference, replayed: true });
    expect(await erp.findEffect(command('rr-1.return-authorization'))).toBeUndefined();
    expect(simulator.effects[0]!.deletedAt).toEqual(expect.any(Number));
  });

  it('refuses a cancellation that does not name the return', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    // Act / Assess
    await expect(erp.create(command('rr-2.return-authorization-cancel', 'return-authorization.cancel'))).rejects.toThrow(ValidationError);
  });

  it('finds no effect for a new command', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });

    // Act
    const found = await erp.findEffect(command('cmd-new', 'refund.issue'));

    // Assess
    expect(found).toBeUndefined();
  });

  it('reads an order, versioned by when it last changed', async () => {
    // Prepare
    const version = simulator.setOrder('SO-9', 'shipped', new Date('2026-11-27T10:00:00.250Z'));
    const erp = makeBusinessCentralErp({ baseUrl: simulator.apiUrl });

    // Act
    const order = await erp.getOrder('SO-9');

    // Assess
    expect(order).toEqual({ orderId: 'SO-9', status: 'shipped', version, occurredAt: '2026-11-27T10:00:00.250Z' });
    expect(version).toBe(Date.parse('2026-11-27T10:00:00.250Z'));
  });

  it('reads an order shipped and invoiced in full, gone from the open sales orders, from its invoice (each a request of its own)', async () => {
    // Prepare
    simulator.setOrder('SO-10', 'shipped');
    const invoicedAt = simulator.invoiceOrder('SO-10');
    const erp = makeBusinessCentralErp({ baseUrl: simulator.apiUrl });

    const callsBefore = simulator.stats.calls;

    // Act
    const open = await erp.getOrder('SO-10');
    const order = await erp.getInvoicedOrder('SO-10');

    // Assess
    expect(open).toBeUndefined();
    expect(order).toEqual({ orderId: 'SO-10', status: 'shipped', version: invoicedAt, occurredAt: new Date(invoicedAt).toISOString() });
    expect(simulator.stats.calls - callsBefore).toBe(2);
  });

  it('reads a changed sales order by the resource a notification names, and nothing once it is deleted', async () => {
    // Prepare
    simulator.setOrder('SO-11', 'confirmed');
    const erp = makeBusinessCentralErp({ baseUrl: simulator.apiUrl });
    const { value } = (await (await fetch(`${simulator.apiUrl}/salesOrders?$filter=number eq 'SO-11'`)).json()) as { value: Array<{ id: string }> };
    const resource = `api/v2.0/companies(${SIM_COMPANY_ID})/salesOrders(${value[0]!.id})`;

    // Act
    const read = await erp.getOrderByResource(resource);
    simulator.invoiceOrder('SO-11');
    const gone = await erp.getOrderByResource(resource);

    // Assess
    expect(read).toMatchObject({ orderId: 'SO-11', status: 'confirmed' });
    expect(gone).toBeUndefined();
  });

  it('reads no order for an order number the ERP does not know', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });

    // Act
    const order = await erp.getOrder('SO-missing');

    // Assess
    expect(order).toBeUndefined();
  });

  it('reads the stock on hand of a SKU (API v2.0 item.inventory, over all locations)', async () => {
    // Prepare
    simulator.setInventory('SKU-9', [{ locationCode: 'DC1', inventory: 12 }, { locationCode: 'STORE-7', inventory: 0 }]);
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });

    // Act
    const levels = await erp.getInventory('SKU-9');

    // Assess
    expect(levels).toEqual([{ sku: 'SKU-9', location: '', available: 12 }]);
  });

  it('lists the orders changed in a window, oldest first, a page at a time, and flags unknown statuses', async () => {
    // Prepare
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 10, minute));
    for (let i = 0; i < 1500; i++) simulator.setOrder(`SO-${String(i).padStart(4, '0')}`, 'shipped', at(5 + (i % 10)));
    simulator.setOrder('SO-old', 'shipped', at(0));
    simulator.setOrder('SO-odd', 'on_hold', at(20));
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    const window = { since: at(1), until: at(30) };

    // Act
    const first = await erp.listOrdersChanged(window);
    const second = await erp.listOrdersChanged(window, first.nextCursor);

    // Assess
    // The adapter asks pages of 1,000 (Prefer: odata.maxpagesize=1000).
    expect(first.orders).toHaveLength(1000);
    expect(first.nextCursor).toMatch(new RegExp(`^${simulator.url}/salesOrders\\?`));
    expect(second.nextCursor).toBeUndefined();
    const all = [...first.orders, ...second.orders];
    expect(all).toHaveLength(1500);
    expect(all.map((order) => order.occurredAt)).toEqual([...all.map((order) => order.occurredAt)].sort());
    expect(all.find((order) => order.orderId === 'SO-old')).toBeUndefined();
    expect(second.unreadable).toEqual([{ orderId: 'SO-odd', reason: expect.stringContaining('on_hold') }]);
  });

  it('refuses a page cursor that points anywhere but the ERP', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });

    // Act
    const listing = erp.listOrdersChanged({ since: new Date(0), until: new Date() }, 'http://169.254.169.254/latest/meta-data');

    // Assess
    await expect(listing).rejects.toThrow(ValidationError);
  });

  it.each([
    ['a cursor under the base URL', (url: string) => [`${url}/`, `${url}/salesOrders?$skiptoken=1`], true],
    ['a host that only starts like the ERP', (url: string) => [url, `${url}.evil.example/salesOrders?`], false],
  ])('judges %s', (_name, pair, own) => {
    // Prepare
    const [baseUrl, cursor] = pair(simulator.url);

    // Act
    const judged = isOwnOrderPageCursor(baseUrl!, cursor!);

    // Assess
    expect(judged).toBe(own);
  });

  it.each([
    [503, TransientError],
    [400, PermanentError],
  ])('classifies an ERP %s', async (status, ErrorClass) => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    simulator.failNext(1, status);

    // Act
    const creation = erp.create(command(`cmd-${status}`));

    // Assess
    await expect(creation).rejects.toBeInstanceOf(ErrorClass);
    expect(simulator.effects).toHaveLength(0);
  });

  it('reports a hung call as a transient timeout, though the ERP may have acted', async () => {
    // Prepare
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url, timeoutMs: 100 });
    simulator.hangNext(1, 300);

    // Act
    const error = await erp.create(command('cmd-hang')).catch((e: unknown) => e);

    // Assess: a timeout, and the ERP went on to act on the call.
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).context.timeout).toBe(true);
    const effects = await eventually(async () => simulator.effects.map((effect) => effect.externalDocumentNumber), (numbers) => numbers.length > 0, 5_000, 20);
    expect(effects).toEqual(['cmd-hang']);
  });

  it('reports the ERP rate limit with Retry-After', async () => {
    // Prepare
    await simulator.close();
    simulator = await startErpSimulator({ requestsPerSecond: 1 });
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url });
    await erp.create(command('cmd-5'));

    // Act
    const error = await erp.create(command('cmd-6')).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(1);
    expect(simulator.stats.rejectedOverLimit).toBe(1);
  });
});

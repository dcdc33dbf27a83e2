import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBusinessCentralErp, SalesOrder } from '../../../functions/adapters/erp-business-central';
import { PermanentError } from '../../../functions/core/errors';
import { serveJson, type RunningServer } from '../../../local/simulators/http';
import { startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';

const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/business-central/salesOrders.json'), 'utf8')) as { value: Array<Record<string, unknown>> };
const COMPANY = 'companies(b18aed47-c385-49d2-b954-dbdf8ad71780)';

/** Business Central answering with the fixture: every read of `salesOrders` gets the orders the filter names. */
const serveFixture = (orders = fixture.value) =>
  serveJson([
    [
      'GET',
      /^\/salesOrders$/,
      (request) => {
        const number = /number eq '([^']*)'/.exec(request.query.get('$filter') ?? '')?.[1];
        return { status: 200, body: { '@odata.context': 'ctx', value: number === undefined ? orders : orders.filter((order) => order.number === number) } };
      },
    ],
    ['GET', /^\/salesInvoices$/, () => ({ status: 200, body: { value: [] } })],
  ]);

describe('Business Central adapter: contract with the published salesOrder shape', () => {
  let server: RunningServer;
  afterEach(() => server?.close());

  it('reads the documented status values and fullyShipped as canonical statuses, versioned by lastModifiedDateTime', async () => {
    // Prepare
    server = await serveFixture();
    const erp = makeBusinessCentralErp({ baseUrl: server.url });

    // Act
    const page = await erp.listOrdersChanged({ since: new Date('2023-09-01T00:00:00Z'), until: new Date('2023-09-04T00:00:00Z') });

    // Assess
    expect(page.unreadable).toEqual([]);
    expect(page.orders).toEqual([
      { orderId: '101005', status: 'confirmed', version: Date.parse('2023-09-02T10:32:17.463Z'), occurredAt: '2023-09-02T10:32:17.463Z' },
      { orderId: '101006', status: 'shipped', version: Date.parse('2023-09-03T08:00:05.12Z'), occurredAt: '2023-09-03T08:00:05.120Z' },
      { orderId: '101007', status: 'pending_review', version: Date.parse('2023-09-03T09:14:51.9Z'), occurredAt: '2023-09-03T09:14:51.900Z' },
    ]);
  });

  it('reports a status the map does not name as unreadable, naming the setting that maps it', async () => {
    // Prepare
    server = await serveFixture([{ ...fixture.value[0]!, status: 'Released' }]);
    const erp = makeBusinessCentralErp({ baseUrl: server.url });
    const extended = makeBusinessCentralErp({ baseUrl: server.url, statusMap: { Released: 'picking' } });

    // Act
    const page = await erp.listOrdersChanged({ since: new Date(0), until: new Date() });
    const single = await erp.getOrder('101005').catch((error: unknown) => error);
    const mapped = await extended.getOrder('101005');

    // Assess
    expect(page.unreadable).toEqual([{ orderId: '101005', reason: expect.stringContaining('erpOrderStatusMap') }]);
    expect(single).toBeInstanceOf(PermanentError);
    expect(mapped).toMatchObject({ status: 'picking' });
  });

  it('the local simulator answers sales orders with the published fields only', async () => {
    // Prepare
    const simulator: ErpSimulator = await startErpSimulator();
    try {
      simulator.setOrder('SO-1', 'shipped');
      simulator.setOrderLines('SO-1', [], { currencyCode: 'EUR', shipToCountry: 'DE' });

      // Act
      const answer = (await (await fetch(`${simulator.apiUrl}/salesOrders?$filter=number eq 'SO-1'`)).json()) as { value: Array<Record<string, unknown>> };

      // Assess
      const published = new Set(Object.keys(fixture.value[0]!));
      const order = answer.value[0]!;
      expect(Object.keys(order).filter((key) => !published.has(key))).toEqual([]);
      expect(SalesOrder.parse(order)).toMatchObject({ number: 'SO-1', status: 'Open', fullyShipped: true });
    } finally {
      await simulator.close();
    }
  });

  it.each([
    ['a sales order of this company', `api/v2.0/${COMPANY}/salesOrders(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)`, true],
    ['another company', 'api/v2.0/companies(00000000-0000-0000-0000-000000000001)/salesOrders(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)', false],
    ['another entity set', `api/v2.0/${COMPANY}/customers(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)`, false],
    ['a host of its own', `https://169.254.169.254/${COMPANY}/salesOrders(b6f4017a-b749-ee11-ad0b-a1422c0f7f1f)`, false],
  ])('reads a changed resource only when it is %s', async (_name, resource, allowed) => {
    // Prepare
    server = await serveJson([['GET', /^\/.*salesOrders\([^)]+\)$/, () => ({ status: 200, body: fixture.value[0] })]]);
    const erp = makeBusinessCentralErp({ baseUrl: `${server.url}/v2.0/t/production/api/v2.0/${COMPANY}` });

    // Act
    const read = erp.getOrderByResource(resource);

    // Assess
    if (allowed) await expect(read).resolves.toMatchObject({ orderId: '101005', status: 'confirmed' });
    else await expect(read).rejects.toThrow(/not a sales order of this ERP/);
  });

  it('deletes a return order only as it was read (If-Match with its etag), and reports one changed meanwhile as permanent', async () => {
    // Prepare
    const deletes: Array<string | undefined> = [];
    let changed = false;
    server = await serveJson([
      ['GET', /^\/salesReturnOrders$/, () => ({ status: 200, body: { value: [{ '@odata.etag': 'W/"JzE5OzE7Jw=="', id: 'b6f4017a-0000-0000-0000-000000000001', number: '1002', externalDocumentNumber: 'rr-1.return-authorization' }] } })],
      [
        'DELETE',
        /^\/salesReturnOrders\([^)]+\)$/,
        (request) => {
          deletes.push(request.headers['if-match'] as string | undefined);
          return changed ? { status: 412, body: { error: { code: 'Request_EntityChanged', message: 'Another user has already changed the record.' } } } : { status: 204 };
        },
      ],
    ]);
    const erp = makeBusinessCentralErp({ baseUrl: server.url });
    const cancel = {
      commandId: 'rr-1.return-authorization-cancel',
      type: 'return-authorization.cancel' as const,
      orderId: 'SO-1',
      correlationId: 'c-1',
      requestedAt: '2026-11-29T10:00:00Z',
      payload: { returnCommandId: 'rr-1.return-authorization', returnReference: '1002' },
    };

    // Act
    const cancelled = await erp.create(cancel);
    changed = true;
    const refused = await erp.create(cancel).catch((error: unknown) => error);

    // Assess
    expect(cancelled).toEqual({ erpReference: '1002', replayed: false });
    expect(deletes).toEqual(['W/"JzE5OzE7Jw=="', 'W/"JzE5OzE7Jw=="']);
    expect(refused).toBeInstanceOf(PermanentError);
  });
});

import { makeBusinessCentralErp } from '../../../functions/adapters/erp-business-central';
import { makeBusinessCentralResolutionReads } from '../../../functions/adapters/erp-business-central-resolution';
import type { HttpAuthorization } from '../../../functions/adapters/http-client';
import { makeErpGate } from '../../../functions/core/erp/gate';
import { DeferredError } from '../../../functions/core/errors';
import type { ErpCoordination } from '../../../functions/core/ports/erp-coordination';
import { LOCAL_ERP_CLIENT } from '../../../local/dev-credentials';
import { startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';

/** A coordination double that grants every slot at once and counts the slots booked. */
const countingCoordination = (breaker: 'closed' | 'open' = 'closed') => {
  const booked = { slots: 0 };
  const coordination: ErpCoordination = {
    admit: async () => (breaker === 'open' ? { action: 'wait', waitMs: 3000 } : { action: 'call' }),
    reserveSlot: async () => {
      booked.slots++;
      return { granted: true, waitMs: 0 };
    },
    rateLimited: async () => undefined,
    succeeded: async () => undefined,
    failed: async () => undefined,
  };
  return { coordination, booked };
};

/** Every request the simulator received: those it counted, and those it refused for their credential. */
const requestsReceived = (simulator: ErpSimulator) => simulator.stats.calls + simulator.stats.unauthorized;

/** An Entra ID client-credentials token from the simulator, cached until refreshed (as `makeErpAuthorization` does). */
const simulatorToken = (simulator: ErpSimulator): HttpAuthorization => {
  let token: Promise<string> | undefined;
  const fetchToken = async () => {
    const response = await fetch(`${simulator.url}/_entra/${LOCAL_ERP_CLIENT.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: LOCAL_ERP_CLIENT.clientId, client_secret: LOCAL_ERP_CLIENT.clientSecret }),
    });
    return `Bearer ${((await response.json()) as { access_token: string }).access_token}`;
  };
  return {
    header: () => (token ??= fetchToken()),
    refresh: () => void (token = undefined),
    name: 'the test token',
  };
};

describe('Business Central adapters through the ERP gate: one request, one slot', () => {
  let simulator: ErpSimulator;
  beforeEach(async () => {
    simulator = await startErpSimulator({ credentials: { clientId: LOCAL_ERP_CLIENT.clientId, clientSecret: LOCAL_ERP_CLIENT.clientSecret } });
    simulator.setOrder('SO-1', { status: 'Open', fullyShipped: true });
    simulator.setOrderLines('SO-1', [{ sku: 'MUG-BLUE', quantity: 2, shippedQuantity: 2, unitPrice: 12.5 }], { currencyCode: 'EUR', shipToCountry: 'DE', shipmentDate: '2026-11-20' });
  });
  afterEach(() => simulator.close());

  it('books a slot for each of the four requests of the order read for a resolution', async () => {
    // Prepare
    const { coordination, booked } = countingCoordination();
    const auth = simulatorToken(simulator);
    await auth.header();
    const reads = makeBusinessCentralResolutionReads({ baseUrl: simulator.url, auth, gate: makeErpGate({ coordination, priority: 'customer' }) });
    const before = requestsReceived(simulator);

    // Act
    const order = await reads.orderForResolution('SO-1');

    // Assess
    expect(order?.lines).toHaveLength(1);
    expect(requestsReceived(simulator) - before).toBe(4);
    expect(booked.slots).toBe(4);
  });

  it('books a slot for the retry after a 401, so a refused credential costs two slots for two requests', async () => {
    // Prepare
    const { coordination, booked } = countingCoordination();
    const auth = simulatorToken(simulator);
    await auth.header();
    simulator.expireTokens();
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url, auth, gate: makeErpGate({ coordination, priority: 'bulk' }) });
    const before = requestsReceived(simulator);

    // Act
    const order = await erp.getOrder('SO-1');

    // Assess
    expect(order?.status).toBe('shipped');
    expect(simulator.stats.unauthorized).toBe(1);
    expect(requestsReceived(simulator) - before).toBe(2);
    expect(booked.slots).toBe(2);
  });

  it('books a slot for each of the two requests of a return cancellation (find the return order, delete it)', async () => {
    // Prepare
    const { coordination, booked } = countingCoordination();
    const auth = simulatorToken(simulator);
    await auth.header();
    const erp = makeBusinessCentralErp({ baseUrl: simulator.url, auth, gate: makeErpGate({ coordination, priority: 'customer' }) });
    const created = await erp.create({ commandId: 'wf-1.return-authorization', type: 'return-authorization.create', orderId: 'SO-1', correlationId: 'msg_1', requestedAt: '2026-11-27T10:00:00Z', payload: {} });
    const [slotsBefore, requestsBefore] = [booked.slots, requestsReceived(simulator)];

    // Act
    await erp.create({ commandId: 'wf-1.return-authorization-cancel', type: 'return-authorization.cancel', orderId: 'SO-1', correlationId: 'msg_1', requestedAt: '2026-11-27T10:00:00Z', payload: { returnCommandId: 'wf-1.return-authorization', returnReference: created.erpReference } });

    // Assess
    expect(requestsReceived(simulator) - requestsBefore).toBe(2);
    expect(booked.slots - slotsBefore).toBe(2);
  });

  it('sends nothing while the breaker is open', async () => {
    // Prepare
    const { coordination, booked } = countingCoordination('open');
    const reads = makeBusinessCentralResolutionReads({ baseUrl: simulator.url, auth: simulatorToken(simulator), gate: makeErpGate({ coordination, priority: 'customer' }) });
    const before = requestsReceived(simulator);

    // Act
    const reading = reads.orderForResolution('SO-1');

    // Assess
    await expect(reading).rejects.toBeInstanceOf(DeferredError);
    expect(requestsReceived(simulator) - before).toBe(0);
    expect(booked.slots).toBe(0);
  });
});

import { randomUUID } from 'node:crypto';
import { serveJson, type RunningServer, type SimRequest, type SimResponse } from './http';

export interface ErpEffect {
  entitySet: string;
  id: string;
  number: string;
  /** The command id the caller stored on the document. */
  externalDocumentNumber: string;
  body: Record<string, unknown>;
  at: number;
  /** When the document was deleted (an unposted return order cancelled); it no longer shows in reads. */
  deletedAt?: number;
}

/** An order line as the simulator is told it (Business Central calls the SKU `lineObjectNumber`). */
export interface SimOrderLine {
  sku: string;
  quantity: number;
  shippedQuantity: number;
  unitPrice?: number;
}

/** Header fields of a sales order beyond its status: Business Central's `currencyCode`, `shipToCountry`, and when it shipped. */
export interface SimOrderDetails {
  currencyCode?: string;
  shipToCountry?: string;
  /** `YYYY-MM-DD`, as Business Central gives dates. */
  shipmentDate?: string;
}

export interface ErpSimulatorOptions {
  port?: number;
  /** Requests per second (any method) the ERP accepts in any sliding second before answering 429. */
  requestsPerSecond?: number;
  /** Concurrent requests the ERP accepts before answering 429. */
  maxConcurrent?: number;
  latencyMs?: number;
  /**
   * When set, the ERP requires what Business Central requires: a bearer token from its token endpoint
   * (`POST /_entra/{tenant}/oauth2/v2.0/token`, the client-credentials grant with this client), valid
   * for `tokenLifetimeSeconds` (default 3600); the API answers 401 without one.
   */
  credentials?: { clientId: string; clientSecret: string; tokenLifetimeSeconds?: number };
  /** How long after a change the simulator notifies its subscriptions (Business Central: about 30 s). Default 100 ms. */
  notifyAfterMs?: number;
}

export interface ErpSimulatorStats {
  calls: number;
  accepted: number;
  rejectedOverLimit: number;
  faults: number;
  maxConcurrentSeen: number;
  /** API calls refused for want of a valid token (401). */
  unauthorized: number;
  /** Tokens issued by the token endpoint. */
  tokensIssued: number;
}

/**
 * An order's progress as Business Central records it (`status` is `Draft`, `In Review` or `Open`, or
 * whatever an extension adds), or a canonical status as a shorthand for the facts that read as it
 * (`confirmed` is `Open`; `shipped` and `delivered` are `Open` and fully shipped).
 */
export type SimOrderState = string | { status: string; fullyShipped?: boolean };

const FACTS_OF_CANONICAL: Record<string, { status: string; fullyShipped: boolean }> = {
  pending_review: { status: 'In Review', fullyShipped: false },
  confirmed: { status: 'Open', fullyShipped: false },
  picking: { status: 'Open', fullyShipped: false },
  shipped: { status: 'Open', fullyShipped: true },
  delivered: { status: 'Open', fullyShipped: true },
  returned: { status: 'Open', fullyShipped: true },
};
const factsOf = (state: SimOrderState) => (typeof state === 'string' ? (FACTS_OF_CANONICAL[state] ?? { status: state, fullyShipped: false }) : { fullyShipped: false, ...state });

/** The local ERP's company: its API root is `<url>/v2.0/local/production/api/v2.0/companies(<id>)`, like Business Central's. */
export const SIM_COMPANY_ID = 'c0ffee00-0000-4000-8000-00000000b0c0';
const API_PREFIX = /^\/v2\.0\/[^/]+\/[^/]+\/api\/v2\.0(?:\/companies\([^)/]+\))?/;
/** What the simulator's subscriptions may watch: its company's sales orders. */
const SALES_ORDERS_RESOURCE = `api/v2.0/companies(${SIM_COMPANY_ID})/salesOrders`;
/** Business Central keeps a subscription three days. */
const SUBSCRIPTION_LIFETIME_MS = 3 * 24 * 3600_000;

/** A change-notification subscription as Business Central keeps it, and what it posted. */
export interface SimSubscription {
  subscriptionId: string;
  notificationUrl: string;
  resource: string;
  clientState?: string;
  expirationDateTime: string;
  '@odata.etag': string;
}
export interface SimNotification {
  subscriptionId: string;
  body: unknown;
  /** The notification URL's answer (0: unreachable). */
  status: number;
  at: number;
}

/** A weak ETag from a version, shaped like Business Central's. */
const etagOf = (version: number) => `W/"${Buffer.from(`'${version};'`).toString('base64')}"`;

export interface ErpSimulator extends RunningServer {
  /** The API root the adapters take as their base URL, with the company: `<url>/v2.0/local/production/api/v2.0/companies(<id>)`. */
  apiUrl: string;
  /** Every document created, in order: a retried command that created twice shows up twice. */
  effects: ErpEffect[];
  stats: ErpSimulatorStats;
  /** Effects beyond the first per external document number: must stay 0. */
  duplicates(): number;
  /** Times (epoch ms) of accepted calls, for rate measurements. */
  acceptedAt: number[];
  /** Answers the next `count` calls with this status (e.g. 503). */
  failNext(count: number, status?: number): void;
  /** Holds the next `count` calls for `ms` before answering, so callers time out. The effect still happens. */
  hangNext(count: number, ms: number): void;
  /** Every token issued so far stops being valid (as when they expire), so the next API call answers 401. */
  expireTokens(): void;
  /** Every call answers 503 until `until` (epoch ms). */
  outageUntil(until: number): void;
  /**
   * Sets an order as the ERP holds it, changed at `modifiedAt` (default now, and always after its last
   * change); answers its version as the adapter reads it (`lastModifiedDateTime` in epoch ms).
   */
  setOrder(orderId: string, state: SimOrderState, modifiedAt?: Date): number;
  /** Change-notification subscriptions, as Business Central keeps them. */
  subscriptions: Map<string, SimSubscription>;
  /** Every notification posted, with the answer it got. */
  notifications: SimNotification[];
  /** Posts the order's shipment and invoice in full: like Business Central, the open sales order is deleted and its invoice stays. Answers the invoice's version. */
  invoiceOrder(orderId: string, at?: Date): number;
  /** Gives an order (set with `setOrder`) its lines and header details, read with `$expand=salesOrderLines`. */
  setOrderLines(orderId: string, lines: SimOrderLine[], details?: SimOrderDetails): void;
  /**
   * Sets the stock of a SKU per location. A SKU with stock set is an inventory item: a replacement order
   * (POST salesOrders) for more than its stock is refused, and an accepted one takes its quantity out.
   */
  setInventory(sku: string, levels: Array<{ locationCode: string; inventory: number }>): void;
}

/** Lines of a document created through the API: the adapter sends `lines` of `{ sku, quantity, unitPrice }`. */
const documentLines = (body: Record<string, unknown>) =>
  (Array.isArray(body.lines) ? (body.lines as Array<Record<string, unknown>>) : [])
    .filter((line) => typeof line.sku === 'string' && typeof line.quantity === 'number')
    .map((line) => ({ sku: line.sku as string, quantity: line.quantity as number, unitPrice: line.unitPrice }));

/** The navigation property holding a document's lines in Business Central API v2.0. */
const LINES_OF: Record<string, string> = { salesOrders: 'salesOrderLines', salesReturnOrders: 'salesReturnOrderLines', salesCreditMemos: 'salesCreditMemoLines' };

/** Business Central numbers lines 10000, 20000, …; the first line a document gets. */
const lineSequence = (index: number) => (index + 1) * 10000;

const ENTITY_SETS = new Set(['salesReturnOrders', 'salesCreditMemos', 'salesOrders']);

/**
 * An ERP on loopback shaped like the Business Central API v2.0 entity sets the adapter uses. Like a real
 * ERP it creates a document for every POST (it does not deduplicate), so tests can count duplicate
 * effects. It enforces a sliding-window rate limit and a concurrency cap with 429 + Retry-After, and can
 * inject 5xx, hangs (timeouts), latency and outage windows. Orders carry lines (`$expand=salesOrderLines`),
 * documents created for an order can be listed by `orderNumber`, and a replacement order takes stock or
 * is refused when an item is short. `POST /_sim/orders` and `POST /_sim/inventory` seed a scenario with curl.
 */
export const startErpSimulator = async (options: ErpSimulatorOptions = {}): Promise<ErpSimulator> => {
  const effects: ErpEffect[] = [];
  const acceptedAt: number[] = [];
  const stats: ErpSimulatorStats = { calls: 0, accepted: 0, rejectedOverLimit: 0, faults: 0, maxConcurrentSeen: 0, unauthorized: 0, tokensIssued: 0 };
  /** Issued tokens and when they expire (epoch ms). */
  const tokens = new Map<string, number>();
  const authorized = (request: SimRequest) => {
    if (!options.credentials) return true;
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    return token !== undefined && (tokens.get(token) ?? 0) > Date.now();
  };
  /** The client-credentials grant of Microsoft Entra ID, as far as the product uses it. */
  const issueToken = (request: SimRequest): SimResponse => {
    const form = (request.body ?? {}) as Record<string, string>;
    const expected = options.credentials;
    if (form.grant_type !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported.' } };
    if (!expected || form.client_id !== expected.clientId || form.client_secret !== expected.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' } };
    }
    const lifetime = expected.tokenLifetimeSeconds ?? 3600;
    const token = randomUUID();
    tokens.set(token, Date.now() + lifetime * 1000);
    stats.tokensIssued++;
    return { status: 200, body: { token_type: 'Bearer', expires_in: lifetime, access_token: token } };
  };
  const orders = new Map<string, { '@odata.etag': string; id: string; number: string; status: string; fullyShipped: boolean; lastModifiedDateTime: string } & SimOrderDetails>();
  const invoices: Array<{ id: string; number: string; orderNumber: string; lastModifiedDateTime: string }> = [];
  const orderLines = new Map<string, SimOrderLine[]>();
  const inventory = new Map<string, Array<{ number: string; locationCode: string; inventory: number }>>();
  let failures = { remaining: 0, status: 503 };
  let hangs = { remaining: 0, ms: 0 };
  let downUntil = 0;
  let latencyMs = options.latencyMs ?? 0;
  let inFlight = 0;
  const window: number[] = [];

  /** Calls refused over the limit: when, which, and the accepted calls of the second before (for diagnosis). */
  /** Times of the calls the limiter counted (accepted, faults included), for the bench's tightest window. */
  const admittedAt: number[] = [];
  const overLimit: Array<{ at: number; call: string; windowBefore: number[] }> = [];
  const admit = (now: number, request: SimRequest): SimResponse | undefined => {
    stats.calls++;
    while (window.length > 0 && window[0]! <= now - 1000) window.shift();
    const overRate = options.requestsPerSecond !== undefined && window.length >= options.requestsPerSecond;
    const overConcurrency = options.maxConcurrent !== undefined && inFlight >= options.maxConcurrent;
    if (overRate || overConcurrency) {
      stats.rejectedOverLimit++;
      overLimit.push({ at: now, call: `${request.method} ${request.path}`, windowBefore: [...window] });
      return { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'Application_TooManyRequests', message: overRate ? 'Rate limit exceeded' : 'Too many concurrent requests' } } };
    }
    window.push(now);
    admittedAt.push(now);
    return undefined;
  };

  /** Wraps every ERP route with limits, latency and injected faults. */
  const erpRoute = (handle: (request: SimRequest) => SimResponse | Promise<SimResponse>) => async (request: SimRequest): Promise<SimResponse> => {
    // Counted when it arrived, as an API gateway counts it, not when its body had been read.
    const now = request.receivedAt;
    if (!authorized(request)) {
      stats.unauthorized++;
      return { status: 401, body: { error: { code: 'Authentication_InvalidCredentials', message: 'The server has rejected the client credentials.' } } };
    }
    const refused = admit(now, request);
    if (refused) return refused;
    inFlight++;
    stats.maxConcurrentSeen = Math.max(stats.maxConcurrentSeen, inFlight);
    try {
      if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (now < downUntil || failures.remaining > 0) {
        if (now >= downUntil) failures.remaining--;
        stats.faults++;
        return { status: now < downUntil ? 503 : failures.status, body: { error: { code: 'ServiceUnavailable', message: 'Injected fault' } } };
      }
      if (hangs.remaining > 0) {
        hangs.remaining--;
        await new Promise((resolve) => setTimeout(resolve, hangs.ms));
      }
      stats.accepted++;
      acceptedAt.push(now);
      return await handle(request);
    } finally {
      inFlight--;
    }
  };

  const filterValue = (request: SimRequest, field: string) => {
    const filter = request.query.get('$filter') ?? '';
    // The field whole: `number` must not match inside `orderNumber`.
    const match = new RegExp(`(?:^|[^A-Za-z])${field} eq '((?:[^']|'')*)'`).exec(filter);
    return match ? match[1]!.replace(/''/g, "'") : undefined;
  };

  /** Orders changed in a window, oldest first, paged like Business Central (odata.maxpagesize, @odata.nextLink). */
  const changedOrders = (request: SimRequest): SimResponse => {
    const filter = request.query.get('$filter') ?? '';
    const bound = (operator: string) => {
      const match = new RegExp(`lastModifiedDateTime ${operator} (\\S+)`).exec(filter);
      return match ? Date.parse(match[1]!) : undefined;
    };
    const [since, until] = [bound('ge') ?? -Infinity, bound('le') ?? Infinity];
    const matching = [...orders.values()]
      .filter((order) => Date.parse(order.lastModifiedDateTime) >= since && Date.parse(order.lastModifiedDateTime) <= until)
      .sort((a, b) => a.lastModifiedDateTime.localeCompare(b.lastModifiedDateTime) || a.number.localeCompare(b.number));
    const pageSize = Number(/odata\.maxpagesize=(\d+)/.exec(String(request.headers.prefer ?? ''))?.[1] ?? 20000);
    const skip = Number(request.query.get('$skiptoken') ?? 0);
    const page = matching.slice(skip, skip + pageSize);
    const next = new URLSearchParams(request.query);
    next.set('$skiptoken', String(skip + pageSize));
    return {
      status: 200,
      body: { value: page, ...(skip + pageSize < matching.length ? { '@odata.nextLink': `http://${request.headers.host}${request.base}/salesOrders?${next}` } : {}) },
    };
  };

  const expands = (request: SimRequest, navigation: string) => (request.query.get('$expand') ?? '').split(',').map((part) => part.trim()).includes(navigation);

  /** A sales order as Business Central answers it, with its lines when `$expand=salesOrderLines`. */
  const salesOrder = (held: NonNullable<ReturnType<typeof orders.get>>, withLines: boolean) => {
    // The order's shipment date is its lines' (API v2.0 has no header field for it).
    const { shipmentDate: _lineShipmentDate, ...order } = held;
    if (!withLines) return order;
    const lines = (orderLines.get(order.number) ?? []).map((line, index) => ({
      sequence: lineSequence(index),
      lineType: 'Item',
      lineObjectNumber: line.sku,
      quantity: line.quantity,
      shippedQuantity: line.shippedQuantity,
      ...(line.unitPrice === undefined ? {} : { unitPrice: line.unitPrice }),
      ...(held.shipmentDate ? { shipmentDate: held.shipmentDate } : {}),
    }));
    return { ...order, salesOrderLines: lines };
  };

  /** Documents created through the API for an order (return orders, credit memos, replacement orders), lines expanded on request. */
  const documentsOf = (request: SimRequest, entitySet: string, orderNumber: string) =>
    effects
      .filter((effect) => effect.entitySet === entitySet && effect.body.orderNumber === orderNumber && effect.deletedAt === undefined)
      .map(({ id, number, externalDocumentNumber, body }) => ({
        id,
        number,
        externalDocumentNumber,
        ...(expands(request, LINES_OF[entitySet]!)
          ? { [LINES_OF[entitySet]!]: documentLines(body).map((line, index) => ({ sequence: lineSequence(index), lineType: 'Item', lineObjectNumber: line.sku, quantity: line.quantity })) }
          : {}),
      }));

  const available = (sku: string) => (inventory.get(sku) ?? []).reduce((total, level) => total + level.inventory, 0);

  /**
   * A replacement order for inventory items takes their stock, or is refused whole when one is short.
   * Business Central reports a refusal of its application logic as 400 `Application_DialogException`
   * carrying the error text; the text is Business Central's message for an item short on inventory.
   */
  const takeStock = (body: Record<string, unknown>): SimResponse | undefined => {
    const needed = new Map<string, number>();
    for (const line of documentLines(body)) if (inventory.has(line.sku)) needed.set(line.sku, (needed.get(line.sku) ?? 0) + line.quantity);
    for (const [sku, quantity] of needed) {
      if (available(sku) < quantity) {
        return {
          status: 400,
          body: { error: { code: 'Application_DialogException', message: `You have insufficient quantity of Item ${sku} on inventory. Available: ${available(sku)}, needed: ${quantity}.` } },
        };
      }
    }
    for (const [sku, quantity] of needed) {
      let remaining = quantity;
      for (const level of inventory.get(sku)!) {
        const taken = Math.min(level.inventory, remaining);
        level.inventory -= taken;
        remaining -= taken;
      }
    }
    return undefined;
  };

  const seedOrder = (body: unknown): SimResponse => {
    const order = (body ?? {}) as { number?: unknown; status?: unknown; fullyShipped?: unknown; version?: unknown; lastModifiedDateTime?: unknown; lines?: unknown } & SimOrderDetails;
    if (typeof order.number !== 'string' || typeof order.status !== 'string') return { status: 400, body: { error: { code: 'BadRequest', message: 'number and status are required' } } };
    if (order.version !== undefined) {
      return { status: 400, body: { error: { code: 'BadRequest', message: 'Business Central has no version field: an order is versioned by lastModifiedDateTime (optional, default now)' } } };
    }
    const modifiedAt = typeof order.lastModifiedDateTime === 'string' ? new Date(order.lastModifiedDateTime) : undefined;
    if (modifiedAt && Number.isNaN(modifiedAt.getTime())) return { status: 400, body: { error: { code: 'BadRequest', message: 'lastModifiedDateTime must be an ISO-8601 time' } } };
    const lines = Array.isArray(order.lines) ? (order.lines as SimOrderLine[]) : [];
    if (lines.some((line) => typeof line?.sku !== 'string' || typeof line.quantity !== 'number' || typeof line.shippedQuantity !== 'number')) {
      return { status: 400, body: { error: { code: 'BadRequest', message: 'every line needs sku, quantity and shippedQuantity' } } };
    }
    setOrder(order.number, { status: order.status, fullyShipped: order.fullyShipped === true }, modifiedAt);
    setOrderLines(order.number, lines, { currencyCode: order.currencyCode, shipToCountry: order.shipToCountry, shipmentDate: order.shipmentDate });
    return { status: 201, body: salesOrder(orders.get(order.number)!, true) };
  };

  const seedInventory = (body: unknown): SimResponse => {
    const seed = (body ?? {}) as { sku?: unknown; levels?: unknown };
    const levels = Array.isArray(seed.levels) ? (seed.levels as Array<{ locationCode?: unknown; inventory?: unknown }>) : undefined;
    if (typeof seed.sku !== 'string' || !levels || levels.some((level) => typeof level?.inventory !== 'number')) {
      return { status: 400, body: { error: { code: 'BadRequest', message: 'sku and levels of { locationCode, inventory } are required' } } };
    }
    setInventory(seed.sku, levels.map((level) => ({ locationCode: typeof level.locationCode === 'string' ? level.locationCode : '', inventory: level.inventory as number })));
    return { status: 201, body: { value: inventory.get(seed.sku) } };
  };

  /** Versions are epoch ms of lastModifiedDateTime: a change at "now" lands after the last one, as in Business Central. */
  let lastChangeAt = 0;
  const changeTime = (modifiedAt?: Date) => {
    const at = modifiedAt ? modifiedAt.getTime() : Math.max(Date.now(), lastChangeAt + 1);
    lastChangeAt = Math.max(lastChangeAt, at);
    return at;
  };
  const subscriptions = new Map<string, SimSubscription>();
  const notifications: SimNotification[] = [];
  /** Posts a notification to every live subscription on sales orders, later, as Business Central does; a refusal (not 408, 429 or 5xx) deletes the subscription. */
  const notify = (orderGuid: string, changeType: 'created' | 'updated' | 'deleted', at: number) => {
    setTimeout(() => {
      for (const subscription of [...subscriptions.values()]) {
        if (subscription.resource.replace(/^\//, '') !== SALES_ORDERS_RESOURCE || Date.parse(subscription.expirationDateTime) < Date.now()) continue;
        const body = {
          value: [
            {
              subscriptionId: subscription.subscriptionId,
              clientState: subscription.clientState,
              expirationDateTime: subscription.expirationDateTime,
              resource: `${SALES_ORDERS_RESOURCE}(${orderGuid})`,
              changeType,
              lastModifiedDateTime: new Date(at).toISOString(),
            },
          ],
        };
        void fetch(subscription.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
          .then((response) => response.status)
          .catch(() => 0)
          .then((status) => {
            notifications.push({ subscriptionId: subscription.subscriptionId, body, status, at: Date.now() });
            if (status !== 0 && (status < 200 || status > 299) && ![408, 429].includes(status) && status < 500) subscriptions.delete(subscription.subscriptionId);
          });
      }
    }, options.notifyAfterMs ?? 100);
  };
  /** The handshake Business Central makes before it keeps a subscription: the URL must echo the token. */
  const handshake = async (notificationUrl: string): Promise<SimResponse | undefined> => {
    const token = randomUUID();
    const separator = notificationUrl.includes('?') ? '&' : '?';
    const answer = await fetch(`${notificationUrl}${separator}validationToken=${token}`, { method: 'POST' }).then(async (response) => ({ status: response.status, text: await response.text() }), () => ({ status: 0, text: '' }));
    if (answer.status === 200 && answer.text === token) return undefined;
    return { status: 400, body: { error: { code: 'BadRequest', message: `The notification URL did not answer the validation token (status ${answer.status}).` } } };
  };
  const setOrder = (orderId: string, state: SimOrderState, modifiedAt?: Date) => {
    const at = changeTime(modifiedAt);
    const previous = orders.get(orderId);
    const id = previous?.id ?? randomUUID();
    orders.set(orderId, { ...previous, ...factsOf(state), '@odata.etag': etagOf(at), id, number: orderId, lastModifiedDateTime: new Date(at).toISOString() });
    notify(id, previous ? 'updated' : 'created', at);
    return at;
  };
  const invoiceOrder = (orderId: string, at?: Date) => {
    const order = orders.get(orderId);
    if (!order || !orders.delete(orderId)) throw new Error(`No open order ${orderId}`);
    const time = changeTime(at);
    notify(order.id, 'deleted', time);
    invoices.push({ id: randomUUID(), number: `PSI-${String(invoices.length + 1).padStart(6, '0')}`, orderNumber: orderId, lastModifiedDateTime: new Date(time).toISOString() });
    return time;
  };
  const setOrderLines = (orderId: string, lines: SimOrderLine[], details: SimOrderDetails = {}) => {
    const order = orders.get(orderId);
    if (!order) throw new Error(`No order ${orderId}: set it with setOrder first`);
    const defined = Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
    orders.set(orderId, { ...order, ...defined });
    orderLines.set(orderId, lines.map((line) => ({ ...line })));
  };
  const setInventory = (sku: string, levels: Array<{ locationCode: string; inventory: number }>) => {
    inventory.set(sku, levels.map((level) => ({ number: sku, ...level })));
  };

  const server = await serveJson(
    [
      [
        'GET',
        /^\/(?<entitySet>salesReturnOrders|salesCreditMemos|salesOrders)$/,
        erpRoute((request) => {
          const external = filterValue(request, 'externalDocumentNumber');
          if (external !== undefined) {
            const found = effects.filter((effect) => effect.entitySet === request.params.entitySet && effect.externalDocumentNumber === external && effect.deletedAt === undefined);
            return { status: 200, body: { value: found.map(({ id, number, externalDocumentNumber, at }) => ({ '@odata.etag': etagOf(at), id, number, externalDocumentNumber })) } };
          }
          const orderNumber = filterValue(request, 'orderNumber');
          if (orderNumber !== undefined) return { status: 200, body: { value: documentsOf(request, request.params.entitySet!, orderNumber) } };
          if (request.params.entitySet === 'salesOrders' && /lastModifiedDateTime/.test(request.query.get('$filter') ?? '')) return changedOrders(request);
          const number = filterValue(request, 'number');
          const order = number !== undefined && request.params.entitySet === 'salesOrders' ? orders.get(number) : undefined;
          return { status: 200, body: { value: order ? [salesOrder(order, expands(request, 'salesOrderLines'))] : [] } };
        }),
      ],
      [
        'DELETE',
        /^\/salesReturnOrders\((?<id>[^)]+)\)$/,
        erpRoute((request) => {
          // Business Central deletes an open (unposted) sales return order; a second delete finds nothing.
          const effect = effects.find((candidate) => candidate.entitySet === 'salesReturnOrders' && candidate.id === request.params.id && candidate.deletedAt === undefined);
          if (!effect) return { status: 404, body: { error: { code: 'BadRequest_NotFound', message: `The salesReturnOrder ${request.params.id} does not exist.` } } };
          // Compare-and-set, as Business Central does with If-Match: a document changed since it was read stays.
          const ifMatch = request.headers['if-match'];
          if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etagOf(effect.at)) {
            return { status: 412, body: { error: { code: 'Request_EntityChanged', message: 'Another user has already changed the record.' } } };
          }
          effect.deletedAt = Date.now();
          return { status: 204 };
        }),
      ],
      [
        'GET',
        /^\/salesOrders\((?<id>[^)]+)\)$/,
        erpRoute((request) => {
          const order = [...orders.values()].find((candidate) => candidate.id === request.params.id);
          return order ? { status: 200, body: salesOrder(order, expands(request, 'salesOrderLines')) } : { status: 404, body: { error: { code: 'BadRequest_NotFound', message: `The salesOrder ${request.params.id} does not exist.` } } };
        }),
      ],
      [
        'GET',
        /^\/salesInvoices$/,
        erpRoute((request) => ({ status: 200, body: { value: invoices.filter((invoice) => invoice.orderNumber === filterValue(request, 'orderNumber')) } })),
      ],
      [
        'GET',
        /^\/items$/,
        erpRoute((request) => {
          // API v2.0 `item.inventory`: the quantity on hand over all locations.
          const sku = filterValue(request, 'number') ?? '';
          return { status: 200, body: { value: inventory.has(sku) ? [{ number: sku, inventory: available(sku) }] : [] } };
        }),
      ],
      [
        'POST',
        /^\/(?<entitySet>(?!subscriptions$)[A-Za-z]+)$/,
        erpRoute((request) => {
          const entitySet = request.params.entitySet!;
          if (!ENTITY_SETS.has(entitySet)) return { status: 404, body: { error: { code: 'BadRequest_ResourceNotFound', message: `No entity set ${entitySet}` } } };
          const body = (request.body ?? {}) as Record<string, unknown>;
          if (typeof body.externalDocumentNumber !== 'string') return { status: 400, body: { error: { code: 'BadRequest', message: 'externalDocumentNumber is required' } } };
          const refused = entitySet === 'salesOrders' ? takeStock(body) : undefined;
          if (refused) return refused;
          const effect: ErpEffect = { entitySet, id: randomUUID(), number: `ERP-${String(effects.length + 1).padStart(6, '0')}`, externalDocumentNumber: body.externalDocumentNumber, body, at: Date.now() };
          effects.push(effect);
          return { status: 201, body: { id: effect.id, number: effect.number, externalDocumentNumber: effect.externalDocumentNumber } };
        }),
      ],
      ['GET', /^\/subscriptions$/, erpRoute(() => ({ status: 200, body: { value: [...subscriptions.values()] } }))],
      [
        'POST',
        /^\/subscriptions$/,
        erpRoute(async (request) => {
          const body = (request.body ?? {}) as Partial<SimSubscription>;
          if (typeof body.notificationUrl !== 'string' || typeof body.resource !== 'string') {
            return { status: 400, body: { error: { code: 'BadRequest', message: 'notificationUrl and resource are required' } } };
          }
          const refused = await handshake(body.notificationUrl);
          if (refused) return refused;
          const expires = Date.now() + SUBSCRIPTION_LIFETIME_MS;
          const subscription: SimSubscription = {
            subscriptionId: randomUUID().replace(/-/g, ''),
            notificationUrl: body.notificationUrl,
            resource: body.resource,
            ...(typeof body.clientState === 'string' ? { clientState: body.clientState } : {}),
            expirationDateTime: new Date(expires).toISOString(),
            '@odata.etag': etagOf(expires),
          };
          subscriptions.set(subscription.subscriptionId, subscription);
          return { status: 201, body: subscription };
        }),
      ],
      [
        'PATCH',
        /^\/subscriptions\('(?<id>[^']+)'\)$/,
        erpRoute(async (request) => {
          const subscription = subscriptions.get(decodeURIComponent(request.params.id!));
          if (!subscription) return { status: 404, body: { error: { code: 'BadRequest_NotFound', message: 'No such subscription.' } } };
          const ifMatch = String(request.headers['if-match'] ?? '');
          if (ifMatch !== '*' && ifMatch !== subscription['@odata.etag']) return { status: 412, body: { error: { code: 'Request_EntityChanged', message: 'The subscription has changed.' } } };
          const refused = await handshake(subscription.notificationUrl);
          if (refused) return refused;
          const body = (request.body ?? {}) as Partial<SimSubscription>;
          const expires = Date.now() + SUBSCRIPTION_LIFETIME_MS;
          const renewed = { ...subscription, ...(typeof body.clientState === 'string' ? { clientState: body.clientState } : {}), expirationDateTime: new Date(expires).toISOString(), '@odata.etag': etagOf(expires) };
          subscriptions.set(renewed.subscriptionId, renewed);
          return { status: 200, body: renewed };
        }),
      ],
      ['GET', /^\/_sim\/subscriptions$/, () => ({ status: 200, body: { subscriptions: [...subscriptions.values()], notifications } })],
      ['POST', /^\/_entra\/[^/]+\/oauth2\/v2\.0\/token$/, issueToken],
      ['POST', /^\/_sim\/orders$/, (request) => seedOrder(request.body)],
      ['POST', /^\/_sim\/inventory$/, (request) => seedInventory(request.body)],
      ['GET', /^\/_sim\/summary$/, () => ({ status: 200, body: { executed: new Set(effects.map((effect) => effect.externalDocumentNumber)).size, stats } })],
      ['GET', /^\/_sim\/effects$/, () => ({ status: 200, body: { effects, stats, duplicates: duplicates(), acceptedAt, admittedAt, overLimit } })],
      [
        'POST',
        /^\/_sim\/outage$/,
        (request) => {
          const { until, seconds } = (request.body ?? {}) as { until?: number; seconds?: number };
          downUntil = seconds !== undefined ? Date.now() + Number(seconds) * 1000 : Number(until ?? 0);
          return { status: 204 };
        },
      ],
      [
        'POST',
        /^\/_sim\/faults$/,
        (request) => {
          // The next `count` API calls answer `status` (a 5xx, or a 4xx the product must not retry).
          const { count, status = 503 } = (request.body ?? {}) as { count?: unknown; status?: unknown };
          if (!Number.isInteger(count) || !Number.isInteger(status) || (status as number) < 400) return { status: 400, body: { error: { code: 'BadRequest', message: 'count (a whole number) and status (400–599) are required' } } };
          failures = { remaining: count as number, status: status as number };
          return { status: 204 };
        },
      ],
      [
        'POST',
        /^\/_sim\/latency$/,
        (request) => {
          const { ms } = (request.body ?? {}) as { ms?: unknown };
          if (typeof ms !== 'number' || ms < 0) return { status: 400, body: { error: { code: 'BadRequest', message: 'ms (a number of milliseconds, 0 to stop) is required' } } };
          latencyMs = ms;
          return { status: 204 };
        },
      ],
    ],
    options.port,
    API_PREFIX,
  );

  const duplicates = () => effects.length - new Set(effects.map((effect) => `${effect.entitySet}#${effect.externalDocumentNumber}`)).size;

  return {
    ...server,
    apiUrl: `${server.url}/v2.0/local/production/api/v2.0/companies(${SIM_COMPANY_ID})`,
    effects,
    stats,
    acceptedAt,
    duplicates,
    failNext: (count, status = 503) => {
      failures = { remaining: count, status };
    },
    hangNext: (count, ms) => {
      hangs = { remaining: count, ms };
    },
    expireTokens: () => tokens.clear(),
    outageUntil: (until) => {
      downUntil = until;
    },
    setOrder,
    invoiceOrder,
    subscriptions,
    notifications,
    setOrderLines,
    setInventory,
  };
};

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
}

export interface ErpSimulatorOptions {
  port?: number;
  /** Requests per second (any method) the ERP accepts in any sliding second before answering 429. */
  requestsPerSecond?: number;
  /** Concurrent requests the ERP accepts before answering 429. */
  maxConcurrent?: number;
  latencyMs?: number;
}

export interface ErpSimulatorStats {
  calls: number;
  accepted: number;
  rejectedOverLimit: number;
  faults: number;
  maxConcurrentSeen: number;
}

export interface ErpSimulator extends RunningServer {
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
  /** Every call answers 503 until `until` (epoch ms). */
  outageUntil(until: number): void;
  /** Sets an order as the ERP holds it; `modifiedAt` defaults to now. */
  setOrder(orderId: string, status: string, version: number, modifiedAt?: Date): void;
  setInventory(sku: string, levels: Array<{ locationCode: string; inventory: number }>): void;
}

const ENTITY_SETS = new Set(['salesReturnOrders', 'salesCreditMemos', 'salesOrders']);

/**
 * An ERP on loopback shaped like the Business Central API v2.0 entity sets the adapter uses. Like a real
 * ERP it creates a document for every POST (it does not deduplicate), so tests can count duplicate
 * effects. It enforces a sliding-window rate limit and a concurrency cap with 429 + Retry-After, and can
 * inject 5xx, hangs (timeouts), latency and outage windows.
 */
export const startErpSimulator = async (options: ErpSimulatorOptions = {}): Promise<ErpSimulator> => {
  const effects: ErpEffect[] = [];
  const acceptedAt: number[] = [];
  const stats: ErpSimulatorStats = { calls: 0, accepted: 0, rejectedOverLimit: 0, faults: 0, maxConcurrentSeen: 0 };
  const orders = new Map<string, { number: string; status: string; systemVersion: number; lastModifiedDateTime: string }>();
  const inventory = new Map<string, Array<{ number: string; locationCode: string; inventory: number }>>();
  let failures = { remaining: 0, status: 503 };
  let hangs = { remaining: 0, ms: 0 };
  let downUntil = 0;
  let inFlight = 0;
  const window: number[] = [];

  const admit = (now: number): SimResponse | undefined => {
    stats.calls++;
    while (window.length > 0 && window[0]! <= now - 1000) window.shift();
    const overRate = options.requestsPerSecond !== undefined && window.length >= options.requestsPerSecond;
    const overConcurrency = options.maxConcurrent !== undefined && inFlight >= options.maxConcurrent;
    if (overRate || overConcurrency) {
      stats.rejectedOverLimit++;
      return { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'Application_TooManyRequests', message: overRate ? 'Rate limit exceeded' : 'Too many concurrent requests' } } };
    }
    window.push(now);
    return undefined;
  };

  /** Wraps every ERP route with limits, latency and injected faults. */
  const erpRoute = (handle: (request: SimRequest) => SimResponse) => async (request: SimRequest): Promise<SimResponse> => {
    const now = Date.now();
    const refused = admit(now);
    if (refused) return refused;
    inFlight++;
    stats.maxConcurrentSeen = Math.max(stats.maxConcurrentSeen, inFlight);
    try {
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
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
      return handle(request);
    } finally {
      inFlight--;
    }
  };

  const filterValue = (request: SimRequest, field: string) => {
    const filter = request.query.get('$filter') ?? '';
    const match = new RegExp(`${field} eq '((?:[^']|'')*)'`).exec(filter);
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
      body: { value: page, ...(skip + pageSize < matching.length ? { '@odata.nextLink': `http://${request.headers.host}/salesOrders?${next}` } : {}) },
    };
  };

  const server = await serveJson(
    [
      [
        'GET',
        /^\/(?<entitySet>salesReturnOrders|salesCreditMemos|salesOrders)$/,
        erpRoute((request) => {
          const external = filterValue(request, 'externalDocumentNumber');
          if (external !== undefined) {
            const found = effects.filter((effect) => effect.entitySet === request.params.entitySet && effect.externalDocumentNumber === external);
            return { status: 200, body: { value: found.map(({ id, number, externalDocumentNumber }) => ({ id, number, externalDocumentNumber })) } };
          }
          if (request.params.entitySet === 'salesOrders' && /lastModifiedDateTime/.test(request.query.get('$filter') ?? '')) return changedOrders(request);
          const number = filterValue(request, 'number');
          const order = number !== undefined && request.params.entitySet === 'salesOrders' ? orders.get(number) : undefined;
          return { status: 200, body: { value: order ? [order] : [] } };
        }),
      ],
      [
        'GET',
        /^\/itemAvailabilities$/,
        erpRoute((request) => ({ status: 200, body: { value: inventory.get(filterValue(request, 'number') ?? '') ?? [] } })),
      ],
      [
        'POST',
        /^\/(?<entitySet>[A-Za-z]+)$/,
        erpRoute((request) => {
          const entitySet = request.params.entitySet!;
          if (!ENTITY_SETS.has(entitySet)) return { status: 404, body: { error: { code: 'BadRequest_ResourceNotFound', message: `No entity set ${entitySet}` } } };
          const body = (request.body ?? {}) as Record<string, unknown>;
          if (typeof body.externalDocumentNumber !== 'string') return { status: 400, body: { error: { code: 'BadRequest', message: 'externalDocumentNumber is required' } } };
          const effect: ErpEffect = { entitySet, id: randomUUID(), number: `ERP-${String(effects.length + 1).padStart(6, '0')}`, externalDocumentNumber: body.externalDocumentNumber, body, at: Date.now() };
          effects.push(effect);
          return { status: 201, body: { id: effect.id, number: effect.number, externalDocumentNumber: effect.externalDocumentNumber } };
        }),
      ],
      ['GET', /^\/_sim\/summary$/, () => ({ status: 200, body: { executed: new Set(effects.map((effect) => effect.externalDocumentNumber)).size, stats } })],
      ['GET', /^\/_sim\/effects$/, () => ({ status: 200, body: { effects, stats, duplicates: duplicates(), acceptedAt } })],
      [
        'POST',
        /^\/_sim\/outage$/,
        (request) => {
          downUntil = Number((request.body as { until?: number })?.until ?? 0);
          return { status: 204 };
        },
      ],
    ],
    options.port,
  );

  const duplicates = () => effects.length - new Set(effects.map((effect) => `${effect.entitySet}#${effect.externalDocumentNumber}`)).size;

  return {
    ...server,
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
    outageUntil: (until) => {
      downUntil = until;
    },
    setOrder: (orderId, status, version, modifiedAt = new Date()) => {
      orders.set(orderId, { number: orderId, status, systemVersion: version, lastModifiedDateTime: modifiedAt.toISOString() });
    },
    setInventory: (sku, levels) => {
      inventory.set(sku, levels.map((level) => ({ number: sku, ...level })));
    },
  };
};

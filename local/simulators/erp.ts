import { randomUUID } from 'node:crypto';
import { serveJson, type RunningServer, type SimRequest, type SimResponse } from './http';

export interface ErpEffect {
  idempotencyKey: string;
  entitySet: string;
  number: string;
  body: unknown;
  at: number;
}

export interface ErpSimulatorOptions {
  port?: number;
  /** Requests per second the ERP accepts before answering 429 (default: unlimited). */
  requestsPerSecond?: number;
  /** Concurrent requests the ERP accepts before answering 429 (default: unlimited). */
  maxConcurrent?: number;
  latencyMs?: number;
}

export interface ErpSimulator extends RunningServer {
  effects: ErpEffect[];
  stats: { calls: number; rejectedOverLimit: number; faults: number; replays: number };
  /** Answers the next `count` writes with this status (e.g. 503). */
  failNext(count: number, status?: number): void;
  /** Takes the ERP down (every call 503) until `until` (epoch ms). */
  outageUntil(until: number): void;
}

const ENTITY_SETS = new Set(['salesReturnOrders', 'salesCreditMemos', 'salesOrders']);

/**
 * An ERP on loopback shaped like the Business Central API v2.0 entity sets the adapter writes to.
 * It dedups writes on the Idempotency-Key header, enforces a rate limit and concurrency cap with 429
 * and Retry-After, can inject faults and outages, and records every effect so tests can count duplicates.
 */
export const startErpSimulator = async (options: ErpSimulatorOptions = {}): Promise<ErpSimulator> => {
  const effects: ErpEffect[] = [];
  const byKey = new Map<string, ErpEffect>();
  const stats = { calls: 0, rejectedOverLimit: 0, faults: 0, replays: 0 };
  let failures = { remaining: 0, status: 503 };
  let downUntil = 0;
  let inFlight = 0;
  const window: number[] = [];

  const overLimit = (now: number) => {
    while (window.length > 0 && window[0]! <= now - 1000) window.shift();
    if (options.requestsPerSecond !== undefined && window.length >= options.requestsPerSecond) return true;
    if (options.maxConcurrent !== undefined && inFlight >= options.maxConcurrent) return true;
    window.push(now);
    return false;
  };

  const write = async (request: SimRequest): Promise<SimResponse> => {
    stats.calls++;
    const now = Date.now();
    if (overLimit(now)) {
      stats.rejectedOverLimit++;
      return { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'Application_TooManyRequests', message: 'Rate limit exceeded' } } };
    }
    inFlight++;
    try {
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      if (now < downUntil || failures.remaining > 0) {
        const status = now < downUntil ? 503 : failures.status;
        if (now >= downUntil) failures.remaining--;
        stats.faults++;
        return { status, body: { error: { code: 'ServiceUnavailable', message: 'Injected fault' } } };
      }
      const entitySet = request.params.entitySet!;
      if (!ENTITY_SETS.has(entitySet)) return { status: 404, body: { error: { code: 'BadRequest_ResourceNotFound', message: `No entity set ${entitySet}` } } };
      const key = String(request.headers['idempotency-key'] ?? '');
      if (!key) return { status: 400, body: { error: { code: 'BadRequest', message: 'Idempotency-Key header is required' } } };
      const earlier = byKey.get(key);
      if (earlier) {
        stats.replays++;
        return { status: 200, body: { id: earlier.idempotencyKey, number: earlier.number } };
      }
      const effect: ErpEffect = { idempotencyKey: key, entitySet, number: `ERP-${randomUUID().slice(0, 8)}`, body: request.body, at: Date.now() };
      byKey.set(key, effect);
      effects.push(effect);
      return { status: 201, body: { id: key, number: effect.number } };
    } finally {
      inFlight--;
    }
  };

  const server = await serveJson(
    [
      ['POST', /^\/(?<entitySet>[A-Za-z]+)$/, write],
      ['GET', /^\/_sim\/effects$/, () => ({ status: 200, body: { effects, stats } })],
    ],
    options.port,
  );
  return {
    ...server,
    effects,
    stats,
    failNext: (count, status = 503) => {
      failures = { remaining: count, status };
    },
    outageUntil: (until) => {
      downUntil = until;
    },
  };
};

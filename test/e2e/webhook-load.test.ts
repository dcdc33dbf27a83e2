import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startMoto, type RunningEmulator } from '../../local/emulator';
import { signDelivery, signStandardWebhook } from '../../local/sign';
import { startE2eStack, type E2eStack } from '../support/e2e-stack';

/**
 * A bounded load test of the webhook route on loopback: for LOAD_SECONDS (default 60) it keeps
 * LOAD_CONCURRENCY (default 8) requests in flight, a fixed mix of new signed ERP deliveries, exact
 * redeliveries of earlier ones and refused ones (bad signature, invalid JSON, schema failures), then
 * checks from the bus what was published: every accepted delivery's event exactly once, nothing from a
 * redelivery or a refused request, no 5xx. It prints what happened (counts, latency, requests/s) and
 * asserts nothing about speed.
 *
 * It runs on an emulator of its own: moto serves one request at a time, and a minute of load on the
 * shared one would make every other e2e file that runs meanwhile wait behind it.
 */
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 8);
/** How long the bus may take, after the load, to show every accepted event (moto is slow, not lossy). */
const DRAIN_TIMEOUT_MS = 90_000;
/** After the load, the drain gives up once the observer has received nothing for this long. */
const QUIET_MS = 15_000;

const SECRET = 'whsec_' + Buffer.from('e2e-load-erp-secret').toString('base64');
const WRONG_SECRET = 'whsec_' + Buffer.from('not-the-erp-secret').toString('base64');
const STATUSES = ['confirmed', 'picking', 'shipped', 'delivered'] as const;

type Kind = 'valid' | 'redelivery' | 'bad-signature' | 'invalid-json' | 'schema-failure';
/** One cycle of the mix, repeated: 13 new deliveries, 2 exact redeliveries, 5 refused (2 bad signatures, 1 invalid JSON, 2 schema failures) in 20 requests. */
const MIX: Kind[] = [
  'valid', 'valid', 'valid', 'redelivery', 'valid', 'bad-signature', 'valid', 'valid', 'invalid-json', 'valid',
  'valid', 'schema-failure', 'valid', 'redelivery', 'valid', 'valid', 'bad-signature', 'valid', 'schema-failure', 'valid',
];
const EXPECTED_STATUS: Record<Kind, number> = { valid: 202, redelivery: 202, 'bad-signature': 401, 'invalid-json': 400, 'schema-failure': 400 };

interface Delivery {
  kind: Kind;
  orderId: string;
  body: string;
  headers: Record<string, string>;
}

interface Outcome {
  delivery: Delivery;
  status?: number;
  answer?: { eventId?: string; duplicate?: boolean };
  error?: unknown;
  ms: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

describe('the webhook route under a bounded load', () => {
  let emulator: RunningEmulator;
  let e2e: E2eStack;
  const sharedEndpoint = process.env.MOTO_ENDPOINT;

  beforeAll(async () => {
    emulator = await startMoto();
    process.env.MOTO_ENDPOINT = emulator.endpoint;
    e2e = await startE2eStack('load', { signingSecrets: { erp: [SECRET] } });
  }, 90_000);
  afterAll(async () => {
    await e2e?.stop();
    await emulator?.stop();
    process.env.MOTO_ENDPOINT = sharedEndpoint;
  }, 30_000);

  it(
    `publishes every accepted delivery exactly once and nothing else (${LOAD_SECONDS} s, ${CONCURRENCY} in flight)`,
    async () => {
      // Arrange
      const run = randomBytes(3).toString('hex');
      let sequence = 0;
      /** New deliveries already answered 202 and not yet sent again: a redelivery never races its first send (that is a 409, by design). */
      const redeliverable: Delivery[] = [];
      const next = (): Delivery => {
        const n = sequence++;
        const kind = MIX[n % MIX.length]!;
        if (kind === 'redelivery' && redeliverable.length > 0) return { ...redeliverable.shift()!, kind };
        const orderId = `SO-LOAD-${run}-${n}`;
        const data = { orderId, status: STATUSES[n % STATUSES.length], version: 1 + (n % 5) };
        const id = `msg_load_${run}_${n}`;
        switch (kind) {
          case 'bad-signature':
            return { kind, orderId, ...signDelivery('erp', 'order.status.changed', data, WRONG_SECRET, { id }) };
          case 'invalid-json': {
            // Validly signed, but cut short: not JSON.
            const body = signDelivery('erp', 'order.status.changed', data, SECRET, { id }).body.slice(0, -7);
            return { kind, orderId, body, headers: signStandardWebhook(SECRET, body, { id }) };
          }
          case 'schema-failure':
            return { kind, orderId, ...signDelivery('erp', 'order.status.changed', { ...data, status: 'teleported', version: -n }, SECRET, { id }) };
          default:
            return { kind: 'valid', orderId, ...signDelivery('erp', 'order.status.changed', data, SECRET, { id }) };
        }
      };
      const outcomes: Outcome[] = [];
      type Seen = { 'detail-type': string; detail: { eventId: string; data?: { orderId?: string } } };
      const seen: Seen[] = [];
      const drainObserver = async () => seen.push(...((await e2e.observer.drain()) as Seen[]));

      // Act: load, with the observer's queue drained meanwhile (moto slows down as a queue grows)
      const started = performance.now();
      const deadline = started + LOAD_SECONDS * 1000;
      let loading = true;
      const observing = (async () => {
        while (loading) {
          await drainObserver();
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      const sender = async () => {
        while (performance.now() < deadline) {
          const delivery = next();
          const sent = performance.now();
          const outcome: Outcome = { delivery, ms: 0 };
          try {
            const response = await fetch(`${e2e.stack.url}/v1/webhooks/erp`, { method: 'POST', headers: delivery.headers, body: delivery.body });
            outcome.status = response.status;
            const text = await response.text();
            if (response.status === 202) outcome.answer = JSON.parse(text) as Outcome['answer'];
          } catch (error) {
            outcome.error = error;
          }
          outcome.ms = performance.now() - sent;
          outcomes.push(outcome);
          if (delivery.kind === 'valid' && outcome.status === 202) redeliverable.push(delivery);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, sender));
      const elapsedSeconds = (performance.now() - started) / 1000;
      loading = false;
      await observing;

      const accepted = outcomes.filter((o) => o.status === 202 && o.answer?.duplicate === false);
      const acceptedIds = new Set(accepted.map((o) => o.answer!.eventId!));
      const ours = (event: (typeof seen)[number]) => event.detail.data?.orderId?.startsWith(`SO-LOAD-${run}-`) === true;
      // Ingest publishes before it answers, so every accepted event should be on the observer's queue by
      // now; reading them all off can still take a while. Stop when all are in, when nothing has come for
      // QUIET_MS (a lost event never will), or at DRAIN_TIMEOUT_MS.
      const drainUntil = Date.now() + DRAIN_TIMEOUT_MS;
      let lastArrival = Date.now();
      for (;;) {
        const before = seen.length;
        await drainObserver();
        if (seen.length > before) lastArrival = Date.now();
        const found = new Set(seen.filter(ours).map((event) => event.detail.eventId));
        if ([...acceptedIds].every((id) => found.has(id)) || Date.now() > drainUntil || Date.now() - lastArrival > QUIET_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      // A late copy of anything would be on the queue already; one more read after a pause to be sure.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await drainObserver();

      const byStatus = new Map<number, number>();
      for (const o of outcomes) if (o.status !== undefined) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
      const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
      const duplicates = outcomes.filter((o) => o.status === 202 && o.answer?.duplicate === true);
      const rejected = [...byStatus].filter(([status]) => status !== 202).sort(([a], [b]) => a - b);
      const errors = outcomes.filter((o) => o.error !== undefined);
      console.log(
        [
          `webhook load (${LOAD_SECONDS} s, ${CONCURRENCY} in flight): ${outcomes.length} requests in ${elapsedSeconds.toFixed(1)} s`,
          `accepted ${accepted.length}, duplicates ${duplicates.length}, rejected ${rejected.map(([status, count]) => `${status}: ${count}`).join(', ') || 'none'}, errors ${errors.length}`,
          `latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ${(outcomes.length / elapsedSeconds).toFixed(1)} requests/s`,
          `bus: ${seen.filter(ours).length} events of this run, ${seen.length} in all`,
        ].join('\n'),
      );

      // Assess: correctness only
      expect(errors.map((o) => String(o.error))).toEqual([]);
      expect(outcomes.filter((o) => (o.status ?? 0) >= 500).map((o) => o.status)).toEqual([]);
      const unexpected = outcomes.filter((o) => o.status !== EXPECTED_STATUS[o.delivery.kind]);
      expect(unexpected.map((o) => `${o.delivery.kind} ${o.delivery.orderId}: ${o.status}`)).toEqual([]);
      expect(outcomes.filter((o) => o.delivery.kind === 'valid').every((o) => o.answer?.duplicate === false)).toBe(true);
      expect(accepted.length).toBeGreaterThan(0);
      expect(acceptedIds.size).toBe(accepted.length);

      // A redelivery answers the first delivery's event id, as a duplicate.
      const firstAnswer = new Map(accepted.map((o) => [o.delivery.headers['webhook-id'], o.answer!.eventId]));
      expect(outcomes.filter((o) => o.delivery.kind === 'redelivery').filter((o) => o.answer?.duplicate !== true || o.answer.eventId !== firstAnswer.get(o.delivery.headers['webhook-id']))).toEqual([]);

      // The bus: each accepted event exactly once, none lost, nothing else of this run.
      const copies = new Map<string, number>();
      for (const event of seen.filter(ours)) copies.set(event.detail.eventId, (copies.get(event.detail.eventId) ?? 0) + 1);
      expect([...acceptedIds].filter((id) => !copies.has(id))).toEqual([]);
      expect([...copies].filter(([, count]) => count !== 1)).toEqual([]);
      expect([...copies.keys()].filter((id) => !acceptedIds.has(id))).toEqual([]);
      const refusedOrders = new Set(outcomes.filter((o) => o.status !== 202).map((o) => o.delivery.orderId));
      expect(seen.filter(ours).filter((event) => refusedOrders.has(event.detail.data!.orderId!))).toEqual([]);
    },
    LOAD_SECONDS * 1000 + DRAIN_TIMEOUT_MS + 60_000,
  );
});

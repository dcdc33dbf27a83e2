/**
 * `npm run bench:e2e`: the local stack end to end (`startLocalStack` on its own moto, as `npm start`),
 * N signed ERP `order.status.changed` webhooks, one per order with a linked case, each timed from its POST
 * to the moment the service-desk simulator applied that order's case update (the simulator reports each
 * applied update as it happens: `onTicketUpdated`). Counts sent, accepted, updated and lost from what the
 * gateway answered and what the simulator applied. moto bounds every figure. `--json` prints one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DEFAULT_FIELD_IDS } from '../functions/adapters/service-desk-zendesk';
import { DEVELOPMENT_SECRETS } from '../local/dev-secrets';
import { startLocalStack } from '../local/runtime';
import { signDelivery } from '../local/sign';
import { linkCase } from '../test/support/service-desk-cases';
import { durationFigures, measuredOn, round, runBench } from './figures';
import { E2E_USAGE, formatE2eReport, MOTO_NOTE, parseE2eOptions, type E2eOptions, type E2eReport } from './e2e-report';

// The figures are what this prints; the handlers' warnings (none expected) would only interleave.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const WARMUP_WEBHOOKS = 5;
/** After the last POST, the wait ends once no case was updated for this long (a lost update never comes). */
const QUIET_MS = 30_000;

const fieldOf = (ticket: { custom_fields: Array<{ id: number; value: unknown }> }, id: number) => ticket.custom_fields.find((field) => field.id === id)?.value;

const main = async (options: E2eOptions) => {
  const secret = DEVELOPMENT_SECRETS.erp!;
  const stack = await startLocalStack({ port: 0, stage: `bench-e2e-${Date.now().toString(36)}`, signingSecrets: { erp: [secret] } });
  try {
    const run = randomBytes(3).toString('hex');
    const orderId = (n: number) => `SO-E2E-${run}-${n}`;
    const total = WARMUP_WEBHOOKS + options.webhooks;
    for (let n = 0; n < total; n++) await linkCase(stack, orderId(n));

    // When each order's case got version 2, as the simulator applied it.
    const updatedAt = new Map<string, number>();
    const stopListening = stack.serviceDesk.onTicketUpdated((ticket) => {
      const order = String(fieldOf(ticket, DEFAULT_FIELD_IDS.orderId));
      if (String(fieldOf(ticket, DEFAULT_FIELD_IDS.orderVersion)) === '2' && !updatedAt.has(order)) updatedAt.set(order, performance.now());
    });
    const postedAt = new Map<string, number>();
    const answers = new Map<string, { status?: number; ms: number; error?: unknown }>();
    const send = async (n: number) => {
      const { body, headers } = signDelivery('erp', 'order.status.changed', { orderId: orderId(n), status: 'shipped', version: 2 }, secret);
      const started = performance.now();
      postedAt.set(orderId(n), started);
      try {
        const response = await fetch(`${stack.url}/v1/webhooks/erp`, { method: 'POST', headers, body });
        await response.text();
        answers.set(orderId(n), { status: response.status, ms: performance.now() - started });
      } catch (error) {
        answers.set(orderId(n), { ms: performance.now() - started, error });
      }
    };
    const waitForUpdates = async (orders: string[], timeoutMs: number) => {
      const deadline = performance.now() + timeoutMs;
      let lastProgress = performance.now();
      let seen = -1;
      while (performance.now() < deadline) {
        const done = orders.filter((order) => updatedAt.has(order)).length;
        if (done === orders.length) return;
        if (done !== seen) [seen, lastProgress] = [done, performance.now()];
        if (performance.now() - lastProgress > QUIET_MS) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    // Warm-up: the pollers, connections and JIT; untimed.
    await Promise.all(Array.from({ length: WARMUP_WEBHOOKS }, (_, n) => send(n)));
    await waitForUpdates(Array.from({ length: WARMUP_WEBHOOKS }, (_, n) => orderId(n)), 60_000);

    const deskCallsBefore = stack.serviceDesk.stats.calls;
    const timed = Array.from({ length: options.webhooks }, (_, i) => WARMUP_WEBHOOKS + i);
    const orders = timed.map(orderId);
    const firstPost = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < timed.length) await send(timed[next++]!);
      }),
    );
    const sendSeconds = (performance.now() - firstPost) / 1000;
    const acceptedOrders = orders.filter((order) => answers.get(order)?.status === 202);
    await waitForUpdates(acceptedOrders, options.timeoutSeconds * 1000);
    stopListening();

    const updated = orders.filter((order) => updatedAt.has(order));
    const lastUpdate = Math.max(...updated.map((order) => updatedAt.get(order)!));
    const answered = orders.map((order) => answers.get(order)!);
    const counts = {
      sent: orders.length,
      accepted: acceptedOrders.length,
      refused: answered.filter((answer) => answer.status !== undefined && answer.status !== 202).length,
      errors: answered.filter((answer) => answer.error !== undefined).length,
      updated: updated.length,
      lost: acceptedOrders.filter((order) => !updatedAt.has(order)).length,
    };
    const problems: string[] = [];
    if (counts.accepted !== counts.sent) problems.push(`${counts.sent - counts.accepted} webhooks were not answered 202`);
    if (counts.lost > 0) problems.push(`${counts.lost} accepted webhooks never reached their case within the wait (${options.timeoutSeconds} s, or ${QUIET_MS / 1000} s without progress)`);
    const report: E2eReport = {
      bench: 'e2e',
      ...measuredOn(),
      options: { webhooks: options.webhooks, concurrency: options.concurrency, timeoutSeconds: options.timeoutSeconds },
      counts,
      post: durationFigures(answered.map((answer) => answer.ms)),
      endToEnd: durationFigures(updated.map((order) => updatedAt.get(order)! - postedAt.get(order)!)),
      answerToUpdate: durationFigures(updated.filter((order) => answers.get(order)?.status === 202).map((order) => updatedAt.get(order)! - postedAt.get(order)! - answers.get(order)!.ms)),
      throughput: {
        caseUpdatesPerSecond: updated.length > 0 ? round(updated.length / ((lastUpdate - firstPost) / 1000), 1) : 0,
        webhooksPerSecond: round(orders.length / sendSeconds, 1),
        sendSeconds: round(sendSeconds, 1),
        lastUpdateSeconds: updated.length > 0 ? round((lastUpdate - firstPost) / 1000, 1) : 0,
      },
      serviceDeskCalls: stack.serviceDesk.stats.calls - deskCallsBefore,
      note: MOTO_NOTE,
      problems,
    };
    console.log(options.json ? JSON.stringify(report, null, 2) : formatE2eReport(report));
    return problems.length === 0;
  } finally {
    await stack.stop();
  }
};

runBench('bench:e2e', E2E_USAGE, parseE2eOptions, main);

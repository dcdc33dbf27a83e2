/**
 * `npm run bench:erp`: pushes N commands through the local stack's ERP pipeline against an ERP
 * simulator limited to R requests/s, in two scenarios (steady, and a 30 s ERP outage mid-run), and
 * prints what a reviewer needs: achieved call rate / R, over-limit calls, duplicates, lost commands,
 * DLQ count and latency from enqueue to ERP effect. `--json` prints one JSON object instead.
 *
 * `--scenario mixed` (not part of `all`): a backlog of bulk reads (`--bulk-reads`, read by
 * `--bulk-readers` concurrent readers through the same gate and coordination item as the reconciler,
 * in the bulk class) with customer commands (`--customer-commands`, `--customer-per-second`) arriving
 * through the command queue during it; prints enqueue-to-effect per priority class. `--flat` puts the
 * bulk reads in the customer class too (everyone one class: no priority), for comparison.
 *
 * `--cpu-load N` loads the machine on purpose: N extra processes that spin for the whole run, so "on a
 * loaded machine" is reproducible. Each scenario prints the 1-minute load average at its start and end.
 */
import { parseBenchArgs } from './figures';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as os from 'node:os';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { makeErpAuthorization } from '../functions/adapters/credentials';
import { makeBusinessCentralErp } from '../functions/adapters/erp-business-central';
import { enqueueErpCommands } from '../functions/adapters/erp-command-queue';
import { makeDynamoDbErpCoordination } from '../functions/adapters/erp-coordination-store';
import { DEFAULT_BREAKER_CONFIG } from '../functions/core/erp/circuit-breaker';
import { makeErpGate } from '../functions/core/erp/gate';
import { DEFAULT_CUSTOMER_SHARE } from '../functions/core/erp/priority-slots';
import { DEFAULT_MARGIN_MS, defaultRateBudgetConfig } from '../functions/core/erp/rate-budget';
import { DeferredError, RateLimitedError } from '../functions/core/errors';
import { systemClock } from '../functions/core/ports/clock';
import type { ErpCommand } from '../functions/core/canonical/erp-command';
import { startMoto } from '../local/emulator';
import { startLocalStack } from '../local/runtime';

const USAGE =
  'Usage: npm run bench:erp -- [--commands 2000] [--rate 20] [--concurrency 2] [--backlog 40] [--outage-seconds 30] [--scenario all|steady|outage|mixed] [--bulk-reads 1200] [--bulk-readers 8] [--customer-commands 200] [--customer-per-second 4] [--priority-share 0.7] [--flat] [--cpu-load 0] [--json]';
const { values } = parseBenchArgs(
  {
    commands: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '2' },
    'outage-seconds': { type: 'string', default: '30' },
    backlog: { type: 'string', default: '40' },
    scenario: { type: 'string', default: 'all' },
    'bulk-reads': { type: 'string', default: '1200' },
    'bulk-readers': { type: 'string', default: '8' },
    'customer-commands': { type: 'string', default: '200' },
    'customer-per-second': { type: 'string', default: '4' },
    'priority-share': { type: 'string', default: String(DEFAULT_CUSTOMER_SHARE) },
    flat: { type: 'boolean', default: false },
    'cpu-load': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
  USAGE,
);
const N = Number(values.commands);
const R = Number(values.rate);
const CONCURRENCY = Number(values.concurrency);
const OUTAGE_SECONDS = Number(values['outage-seconds']);
// moto's SQS gets slower with queue depth (every call scans the queue: measured 1,000 standard messages
// enqueued in 8.5 s, 2,000 FIFO messages in 188 s), so the pusher keeps a bounded backlog, like a
// producer with flow control. Real SQS has no such limit.
const BACKLOG = Number(values.backlog);
const BULK_READS = Number(values['bulk-reads']);
const BULK_READERS = Number(values['bulk-readers']);
const CUSTOMER_COMMANDS = Number(values['customer-commands']);
const CUSTOMER_PER_SECOND = Number(values['customer-per-second']);
const SHARE = Number(values['priority-share']);
const CPU_LOAD = Number(values['cpu-load']);
if (
  !(Number.isInteger(CPU_LOAD) && CPU_LOAD >= 0) ||
  ![N, R, CONCURRENCY, OUTAGE_SECONDS, BACKLOG, BULK_READS, BULK_READERS, CUSTOMER_COMMANDS, CUSTOMER_PER_SECOND, SHARE].every((value) => Number.isFinite(value) && value > 0) ||
  !(SHARE < 1) ||
  !['all', 'steady', 'outage', 'mixed'].includes(values.scenario!)
) {
  console.error(USAGE);
  process.exit(2);
}
const say = (line: string) => {
  if (!values.json) console.log(line);
  else if (process.env.BENCH_PROGRESS) console.error(line);
};

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

interface ScenarioResult {
  scenario: string;
  commands: number;
  rateLimit: number;
  achievedCallRate: number;
  rateOverLimit: number;
  rejectedOverLimit: number;
  duplicateEffects: number;
  lostCommands: number;
  deadLettered: number;
  p50EnqueueToEffectMs: number;
  p99EnqueueToEffectMs: number;
  wallSeconds: number;
  /** The 1-minute load average when the scenario started and when it ended (os.loadavg). */
  loadAverage: { start: number; end: number };
  outageSeconds?: number;
  drainAfterRecoverySeconds?: number;
  erpCalls: number;
  /** Least span of R + 1 consecutive counted calls (the schedule aims at 1,000 ms + the margin). */
  tightestWindowMs: number;
  mixed?: MixedFigures;
}

/** Per priority class, counted: enqueue (bulk: the backlog's start) to effect (command created, read answered). */
interface ClassFigures {
  count: number;
  done: number;
  lost: number;
  p50EnqueueToEffectMs: number;
  p99EnqueueToEffectMs: number;
  maxEnqueueToEffectMs: number;
}
interface MixedFigures {
  flat: boolean;
  priorityShare: number;
  bulkReaders: number;
  customer: ClassFigures;
  bulk: ClassFigures;
  /** ERP calls answered while customer commands were arriving, and how many of them were bulk reads. */
  callsWhileCustomersArrived: number;
  bulkReadsWhileCustomersArrived: number;
  bulkDeferrals: number;
}

const classFigures = (count: number, latencies: number[]): ClassFigures => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count, done: sorted.length, lost: count - sorted.length, p50EnqueueToEffectMs: percentile(sorted, 50), p99EnqueueToEffectMs: percentile(sorted, 99), maxEnqueueToEffectMs: sorted.at(-1) ?? NaN };
};

/** The ERP simulator in its own process, as a real ERP: its rate limiter shares no event loop with the dispatchers. */
const startErpProcess = (): Promise<{ url: string; stop(): void }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, '..', 'local', 'simulators', 'erp-server.ts'), '--rate', String(R)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`ERP simulator exited with ${code}`)));
  });

interface SimEffects {
  effects: Array<{ externalDocumentNumber: string; at: number }>;
  stats: { calls: number; rejectedOverLimit: number };
  duplicates: number;
  acceptedAt: number[];
  overLimit: Array<{ at: number; call: string; windowBefore: number[] }>;
  admittedAt: number[];
}

/** The least time any R + 1 consecutive calls the ERP counted took: under 1,000 ms, the last was over the limit. */
const tightestWindowMs = (admittedAt: number[]) => {
  const sorted = [...admittedAt].sort((a, b) => a - b);
  let least = Infinity;
  for (let k = 0; k + R < sorted.length; k++) least = Math.min(least, sorted[k + R]! - sorted[k]!);
  return least;
};

/** The ERP simulator in its own process, a client of its `/_sim/` routes, and the local stack against it. */
const startBench = async (scenario: string, emulatorEndpoint: string) => {
  const erp = await startErpProcess();
  const sim = async <T>(route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${erp.url}${route}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
  const stack = await startLocalStack({
    externalErpUrl: erp.url,
    port: 0,
    stage: `bench-${scenario}-${Date.now().toString(36)}`,
    emulatorEndpoint,
    signingSecrets: {},
    erp: { requestsPerSecond: R },
    erpRequestsPerSecond: R,
    erpPriorityShare: SHARE,
    maxConcurrency: CONCURRENCY,
    visibilityTimeoutSeconds: 30,
  });
  return { erp, sim, stack };
};

const runScenario = async (scenario: 'steady' | 'outage', emulatorEndpoint: string): Promise<ScenarioResult> => {
  const { erp, sim, stack } = await startBench(scenario, emulatorEndpoint);
  const sqs = new SQSClient({});
  try {
    const queue = stack.resources.queues.get('erp-commands')!;
    const ordersCount = Math.max(1, Math.ceil(N / 5));
    const commands: ErpCommand[] = Array.from({ length: N }, (_, index) => ({
      commandId: `bench-${scenario}-${index}`,
      type: index % 3 === 0 ? 'return-authorization.create' : index % 3 === 1 ? 'refund.issue' : 'credit-memo.issue',
      orderId: `SO-${index % ordersCount}`,
      correlationId: `bench-${index}`,
      requestedAt: new Date().toISOString(),
      payload: { amount: index },
    }));
    const enqueuedAt = new Map<string, number>();
    const started = Date.now();
    const loadAverageAtStart = os.loadavg()[0]!;
    const expectedSeconds = N / R;
    let outageStart = 0;
    let outageEnd = 0;
    if (scenario === 'outage') {
      outageStart = started + (expectedSeconds / 3) * 1000;
      outageEnd = outageStart + OUTAGE_SECONDS * 1000;
      setTimeout(() => void sim('/_sim/outage', { until: outageEnd }), outageStart - started);
    }
    let summary = { executed: 0, stats: { calls: 0, rejectedOverLimit: 0 } };
    const refresh = async () => {
      summary = await sim('/_sim/summary');
      return summary.executed;
    };
    const uniqueDone = () => summary.executed;
    const pushing = (async () => {
      for (let start = 0; start < commands.length; start += 10) {
        while (start - (await refresh()) >= BACKLOG) await new Promise((resolve) => setTimeout(resolve, 50));
        const chunk = commands.slice(start, start + 10).map((command) => ({ ...command, requestedAt: new Date().toISOString() }));
        for (const command of chunk) enqueuedAt.set(command.commandId, Date.now());
        await enqueueErpCommands(sqs, queue.url, chunk);
      }
      say(`  [${scenario}] enqueued all ${N} commands after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    })();

    const deadline = started + (expectedSeconds * 3 + OUTAGE_SECONDS * 2 + 120) * 1000;
    let lastReport = 0;
    while ((await refresh()) < N && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        say(`  [${scenario}] ${uniqueDone()}/${N} effects after ${((Date.now() - started) / 1000).toFixed(0)} s (ERP calls ${summary.stats.calls}, 429s ${summary.stats.rejectedOverLimit})`);
      }
    }
    const finished = Date.now();
    await pushing;
    // Let in-flight retries settle before counting duplicates and DLQ messages.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.deadLetterUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    const { Attributes: left } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const simulated = await sim<SimEffects>('/_sim/effects');
    for (const refused of simulated.overLimit) {
      say(`  [${scenario}] over the limit at +${refused.at - started} ms: ${refused.call}; accepted in the second before: ${refused.windowBefore.map((at) => at - refused.at).join(' ')}`);
    }
    const done = new Set(simulated.effects.map((effect) => effect.externalDocumentNumber));
    const missing = commands.filter((command) => !done.has(command.commandId)).map((command) => `${command.commandId}(${command.orderId})`);
    if (missing.length > 0) {
      say(`  [${scenario}] not executed: ${missing.slice(0, 10).join(', ')}; queue visible ${left?.ApproximateNumberOfMessages}, in flight ${left?.ApproximateNumberOfMessagesNotVisible}`);
    }
    const firstEffect = new Map<string, number>();
    for (const effect of simulated.effects) if (!firstEffect.has(effect.externalDocumentNumber)) firstEffect.set(effect.externalDocumentNumber, effect.at);
    const latencies = [...firstEffect.entries()].map(([id, at]) => at - enqueuedAt.get(id)!).sort((a, b) => a - b);

    // Achieved rate over the periods the ERP was up and had work: accepted calls / busy seconds.
    const accepted = [...simulated.acceptedAt].sort((a, b) => a - b);
    let busyMs = accepted.length > 1 ? accepted.at(-1)! - accepted[0]! : 1;
    if (scenario === 'outage') busyMs -= Math.max(0, Math.min(outageEnd, accepted.at(-1)!) - Math.max(outageStart, accepted[0]!));
    // The first call after recovery waits for the breaker's probe; that wait is reported as drain time, not rate.
    const afterRecovery = accepted.find((at) => at >= outageEnd);
    if (scenario === 'outage' && afterRecovery) busyMs -= afterRecovery - outageEnd;
    const achievedCallRate = (accepted.length - 1) / (busyMs / 1000);

    return {
      scenario,
      commands: N,
      rateLimit: R,
      achievedCallRate: Number(achievedCallRate.toFixed(2)),
      rateOverLimit: Number((achievedCallRate / R).toFixed(3)),
      rejectedOverLimit: simulated.stats.rejectedOverLimit,
      duplicateEffects: simulated.duplicates,
      lostCommands: N - done.size,
      deadLettered: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      p50EnqueueToEffectMs: percentile(latencies, 50),
      p99EnqueueToEffectMs: percentile(latencies, 99),
      wallSeconds: Number(((finished - started) / 1000).toFixed(1)),
      loadAverage: { start: Number(loadAverageAtStart.toFixed(2)), end: Number(os.loadavg()[0]!.toFixed(2)) },
      erpCalls: simulated.stats.calls,
      tightestWindowMs: tightestWindowMs(simulated.admittedAt),
      ...(scenario === 'outage'
        ? {
            outageSeconds: OUTAGE_SECONDS,
            // Until every command enqueued before the ERP came back had taken effect.
            drainAfterRecoverySeconds: Number(
              ((Math.max(...[...firstEffect.entries()].filter(([id]) => enqueuedAt.get(id)! <= outageEnd).map(([, at]) => at)) - outageEnd) / 1000).toFixed(1),
            ),
          }
        : {}),
    };
  } finally {
    sqs.destroy();
    await stack.stop();
    erp.stop();
  }
};

/**
 * A backlog of bulk reads through the gate (as the reconciler's instances read) and customer commands
 * arriving through the command queue during it, against the same ERP and the same coordination item.
 */
const runMixed = async (emulatorEndpoint: string): Promise<ScenarioResult> => {
  const { erp, sim, stack } = await startBench('mixed', emulatorEndpoint);
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  const secrets = new SecretsManagerClient({});
  try {
    const queue = stack.resources.queues.get('erp-commands')!;
    const bulkOrders = 50;
    for (let k = 0; k < bulkOrders; k++) await sim('/_sim/orders', { number: `BULK-${k}`, status: 'Open' });
    const connection = { baseUrl: erp.url, auth: makeErpAuthorization({ client: secrets, secretId: stack.resources.credentialSecrets.erp, clock: systemClock }) };
    const reads = makeBusinessCentralErp(connection);
    // One coordination per reader, as separate Lambda instances would have.
    const readerGate = () =>
      makeErpGate({
        coordination: makeDynamoDbErpCoordination(dynamodb, {
          tableName: stack.resources.coordinationTable,
          name: 'erp',
          rateBudget: defaultRateBudgetConfig(R),
          customerShare: SHARE,
          breaker: DEFAULT_BREAKER_CONFIG,
        }),
        priority: values.flat ? 'customer' : 'bulk',
        ready: reads.ready,
      });

    const started = Date.now();
    const loadAverageAtStart = os.loadavg()[0]!;
    const bulkDoneAt: number[] = [];
    const bulkReadAt: number[] = [];
    let nextRead = 0;
    let bulkDeferrals = 0;
    const bulkDeadline = started + ((BULK_READS + CUSTOMER_COMMANDS) / R) * 3000 + 120_000;
    const reader = async () => {
      const gate = readerGate();
      // As the reconciler does: the adapter sends each request through the gate (one slot per request).
      const readerErp = makeBusinessCentralErp({
        ...connection,
        gate: (request) =>
          gate(() => {
            bulkReadAt.push(Date.now());
            return request();
          }),
      });
      while (nextRead < BULK_READS && Date.now() < bulkDeadline) {
        const index = nextRead++;
        for (;;) {
          try {
            await readerErp.getOrder(`BULK-${index % bulkOrders}`);
            bulkDoneAt.push(Date.now());
            break;
          } catch (error) {
            if (!(error instanceof DeferredError || error instanceof RateLimitedError) || Date.now() > bulkDeadline) throw error;
            // Back to its queue, as the reconciler's message would go: it returns after the deferral or Retry-After.
            bulkDeferrals++;
            await new Promise((resolve) => setTimeout(resolve, (error instanceof DeferredError ? error.retryAfterSeconds : (error.retryAfterSeconds ?? 1)) * 1000));
          }
        }
      }
    };
    const readers = Promise.allSettled(Array.from({ length: BULK_READERS }, reader));

    // Customer commands start once the bulk backlog has filled the budget.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const customerStarted = Date.now();
    const enqueuedAt = new Map<string, number>();
    const commands: ErpCommand[] = Array.from({ length: CUSTOMER_COMMANDS }, (_, index) => ({
      commandId: `bench-mixed-${index}`,
      type: index % 2 === 0 ? 'return-authorization.create' : 'refund.issue',
      orderId: `SO-C${index}`,
      correlationId: `bench-mixed-${index}`,
      requestedAt: new Date().toISOString(),
      payload: { amount: index },
    }));
    for (const [index, command] of commands.entries()) {
      const due = customerStarted + (index * 1000) / CUSTOMER_PER_SECOND;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      enqueuedAt.set(command.commandId, Date.now());
      await enqueueErpCommands(sqs, queue.url, [{ ...command, requestedAt: new Date().toISOString() }]);
    }
    const customerEnded = Date.now();
    say(`  [mixed] enqueued ${CUSTOMER_COMMANDS} customer commands in ${((customerEnded - customerStarted) / 1000).toFixed(1)} s; ${bulkDoneAt.length}/${BULK_READS} bulk reads done`);

    const deadline = Date.now() + (CUSTOMER_COMMANDS / R) * 3000 + 120_000;
    while ((await sim<{ executed: number }>('/_sim/summary')).executed < CUSTOMER_COMMANDS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    const readerOutcomes = await readers;
    for (const outcome of readerOutcomes) if (outcome.status === 'rejected') say(`  [mixed] a bulk reader failed: ${String(outcome.reason)}`);
    const finished = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.deadLetterUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    const simulated = await sim<SimEffects>('/_sim/effects');
    const firstEffect = new Map<string, number>();
    for (const effect of simulated.effects) if (!firstEffect.has(effect.externalDocumentNumber)) firstEffect.set(effect.externalDocumentNumber, effect.at);
    for (const refused of simulated.overLimit) {
      say(`  [mixed] over the limit at +${refused.at - started} ms (customers from +${customerStarted - started} ms): ${refused.call}; accepted in the second before: ${refused.windowBefore.map((at) => at - refused.at).join(' ')}`);
    }
    const customerLatencies = commands.filter((command) => firstEffect.has(command.commandId)).map((command) => firstEffect.get(command.commandId)! - enqueuedAt.get(command.commandId)!);
    const accepted = [...simulated.acceptedAt].sort((a, b) => a - b);
    const achievedCallRate = (accepted.length - 1) / ((accepted.at(-1)! - accepted[0]!) / 1000);
    const customer = classFigures(CUSTOMER_COMMANDS, customerLatencies);
    const bulk = classFigures(BULK_READS, bulkDoneAt.map((at) => at - started));
    return {
      scenario: values.flat ? 'mixed-flat' : 'mixed',
      commands: CUSTOMER_COMMANDS + BULK_READS,
      rateLimit: R,
      achievedCallRate: Number(achievedCallRate.toFixed(2)),
      rateOverLimit: Number((achievedCallRate / R).toFixed(3)),
      rejectedOverLimit: simulated.stats.rejectedOverLimit,
      duplicateEffects: simulated.duplicates,
      lostCommands: customer.lost + bulk.lost,
      deadLettered: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      p50EnqueueToEffectMs: customer.p50EnqueueToEffectMs,
      p99EnqueueToEffectMs: customer.p99EnqueueToEffectMs,
      wallSeconds: Number(((finished - started) / 1000).toFixed(1)),
      loadAverage: { start: Number(loadAverageAtStart.toFixed(2)), end: Number(os.loadavg()[0]!.toFixed(2)) },
      erpCalls: simulated.stats.calls,
      tightestWindowMs: tightestWindowMs(simulated.admittedAt),
      mixed: {
        flat: values.flat ?? false,
        priorityShare: SHARE,
        bulkReaders: BULK_READERS,
        customer,
        bulk,
        callsWhileCustomersArrived: accepted.filter((at) => at >= customerStarted && at <= customerEnded).length,
        bulkReadsWhileCustomersArrived: bulkReadAt.filter((at) => at >= customerStarted && at <= customerEnded).length,
        bulkDeferrals,
      },
    };
  } finally {
    sqs.destroy();
    dynamodb.destroy();
    secrets.destroy();
    await stack.stop();
    erp.stop();
  }
};

/** Handlers read their environment once per process, so each scenario runs in a process of its own. */
const runInChild = (scenario: 'steady' | 'outage'): Promise<ScenarioResult> =>
  new Promise((resolve, reject) => {
    const args = [__filename, '--scenario', scenario, '--json', '--commands', String(N), '--rate', String(R), '--concurrency', String(CONCURRENCY), '--backlog', String(BACKLOG), '--outage-seconds', String(OUTAGE_SECONDS)];
    const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_PROGRESS: values.json ? '' : '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', () => {
      const line = output.trim().split('\n').reverse().find((candidate) => candidate.startsWith('{"machine"'));
      if (!line) return reject(new Error(`scenario ${scenario} printed no result`));
      resolve((JSON.parse(line) as { results: ScenarioResult[] }).results[0]!);
    });
  });

/** `--cpu-load N`: N processes that spin until the bench ends, so the machine is loaded on purpose. */
const loadTheMachine = (processes: number) => {
  const spinners = Array.from({ length: processes }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const stop = () => spinners.forEach((spinner) => spinner.kill('SIGKILL'));
  process.on('exit', stop);
  return stop;
};

const main = async () => {
  const stopLoad = loadTheMachine(CPU_LOAD);
  const scenarios = values.scenario === 'all' ? (['steady', 'outage'] as const) : ([values.scenario] as Array<'steady' | 'outage' | 'mixed'>);
  const results: ScenarioResult[] = [];
  say(`ERP pipeline benchmark: ${N} commands, ERP limit ${R} req/s, ${CONCURRENCY} concurrent dispatchers${CPU_LOAD ? `, ${CPU_LOAD} spinning processes loading the machine` : ''}`);
  if (scenarios.length > 1) {
    for (const scenario of scenarios) results.push(await runInChild(scenario as 'steady' | 'outage'));
  } else {
    const emulator = await startMoto();
    try {
      const scenario = scenarios[0]! as 'steady' | 'outage' | 'mixed';
      results.push(scenario === 'mixed' ? await runMixed(emulator.endpoint) : await runScenario(scenario, emulator.endpoint));
    } finally {
      await emulator.stop();
    }
  }
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
  if (values.json) {
    console.log(JSON.stringify({ machine, results }));
  } else {
    for (const result of results) {
      console.log(`\n${result.scenario}:`);
      console.log(`  achieved ERP call rate / R      ${result.achievedCallRate} / ${R} = ${result.rateOverLimit}`);
      console.log(`  calls rejected over the limit   ${result.rejectedOverLimit}`);
      console.log(`  duplicate effects               ${result.duplicateEffects}`);
      console.log(`  lost commands                   ${result.lostCommands}`);
      console.log(`  messages in the DLQ             ${result.deadLettered}`);
      console.log(`  enqueue -> ERP effect p50 / p99 ${result.p50EnqueueToEffectMs} ms / ${result.p99EnqueueToEffectMs} ms`);
      console.log(`  ERP calls in all                ${result.erpCalls}`);
      console.log(`  tightest R+1 counted calls      ${result.tightestWindowMs} ms (under 1000: over the limit; the schedule spaces them ${(1000 + DEFAULT_MARGIN_MS).toFixed(0)} ms)`);
      console.log(`  wall time                       ${result.wallSeconds} s`);
      console.log(`  load average (1 min)            ${result.loadAverage.start} at the start, ${result.loadAverage.end} at the end${CPU_LOAD ? ` (${CPU_LOAD} spinning processes added by --cpu-load)` : ''}`);
      if (result.mixed) {
        const { customer, bulk } = result.mixed;
        console.log(`  classes (${result.mixed.flat ? 'flat: bulk reads in the customer class' : `priority share ${result.mixed.priorityShare}`}, ${result.mixed.bulkReaders} bulk readers)`);
        for (const [name, figures] of [['customer commands', customer], ['bulk reads', bulk]] as const) {
          console.log(`    ${name.padEnd(18)} ${figures.done}/${figures.count} done, lost ${figures.lost}, enqueue -> effect p50 / p99 / max ${figures.p50EnqueueToEffectMs} / ${figures.p99EnqueueToEffectMs} / ${figures.maxEnqueueToEffectMs} ms`);
        }
        console.log(`    while customers arrived: ${result.mixed.bulkReadsWhileCustomersArrived} of ${result.mixed.callsWhileCustomersArrived} ERP calls were bulk reads; bulk deferrals ${result.mixed.bulkDeferrals}`);
      }
      if (result.outageSeconds) console.log(`  drain after ${result.outageSeconds} s outage        ${result.drainAfterRecoverySeconds} s`);
    }
    console.log(`\nmachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.date}`);
  }
  stopLoad();
  const healthy = results.every((r) => r.duplicateEffects === 0 && r.lostCommands === 0 && r.rejectedOverLimit === 0 && r.deadLettered === 0);
  process.exit(healthy ? 0 : 1);
};

main().catch((error: Error) => {
  console.error(`benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});

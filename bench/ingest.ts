/**
 * `npm run bench:ingest`: the webhook ingest handler (`functions/webhook-ingest`, the real module, built
 * by its own `makeHandler(dependenciesFrom(environment))` as the local stack builds it) called in-process
 * with API Gateway proxy events built as the local gateway builds them, its AWS SDK clients pointed at a
 * stub of the AWS APIs in a child process (`bench/aws-stub.ts`), beside a floor handler
 * (`bench/ingest-floor.ts`) that only verifies, parses and makes the same SDK calls. Both run in the same
 * process, in interleaved rounds, on fresh signed deliveries built before each timed round. Every
 * figure is counted from what happened: durations around each invocation, statuses of the answers,
 * requests the stub received. `--json` prints one JSON object (bench/results/ingest.json is one).
 */
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { dependenciesFrom, makeHandler } from '../functions/webhook-ingest/make-handler';
import { makeAwsClients } from '../functions/shared/aws-clients';
import { makeObservability } from '../functions/shared/lambda';
import { environmentFor, FUNCTIONS, METRICS_NAMESPACE, resourceNames, type EnvironmentNeed } from '../lib/topology';
import { DEVELOPMENT_SECRETS } from '../local/dev-secrets';
import { emulatorEnvironment } from '../local/emulator';
import { gatewayEvent } from '../local/gateway-event';
import { makeLambdaContext } from '../local/lambda-context';
import { startAwsStub, type AwsStubStats } from './aws-stub';
import { durationFigures, measuredOn, percentile, round, runBench } from './figures';
import { makeFloorHandler } from './ingest-floor';
import { formatIngestReport, INGEST_USAGE, parseIngestOptions, type HandlerFigures, type IngestOptions, type IngestReport } from './ingest-report';
import { makeDeliveryFactory, type BenchSource } from './webhook-deliveries';

const TARGET_RATIO = 0.5;

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Discards what the handlers write to stdout (their logs and metrics, as Lambda hands them to CloudWatch), counting the bytes. */
const swallowStdout = () => {
  const write = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return true;
  }) as typeof process.stdout.write;
  return { bytes: () => bytes, restore: () => void (process.stdout.write = write) };
};

const gc = (globalThis as { gc?: () => void }).gc;

const difference = (after: AwsStubStats, before: AwsStubStats) =>
  Object.fromEntries(Object.entries(after.requests).map(([operation, n]) => [operation, n - (before.requests[operation] ?? 0)]).filter(([, n]) => (n as number) > 0));

const main = async (options: IngestOptions) => {
  const stage = 'bench';
  const names = resourceNames(stage);
  const secrets = Object.fromEntries(options.sources.map((source) => [source, DEVELOPMENT_SECRETS[source]!])) as Record<BenchSource, string>;
  const secretIds = Object.fromEntries(options.sources.map((source) => [source, `${names.prefix}/webhooks/${source}`]));
  const stub = await startAwsStub({ secrets: Object.fromEntries(options.sources.map((source) => [secretIds[source], JSON.stringify([secrets[source]])])) });
  try {
    // As deployed (lib/handler-functions.ts): logs at INFO, metrics on; X-Ray off (there is no daemon here).
    Object.assign(process.env, emulatorEnvironment(stub.endpoint), {
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    const valueOf = {
      'eventBus:put': names.busName,
      'idempotencyTable:readWrite': names.table('idempotency'),
      'webhookSecrets:read': JSON.stringify(secretIds),
      'zendeskSettings:read': JSON.stringify({}),
    } as Record<EnvironmentNeed, string>;
    const functionName = names.function('webhookIngest');
    const environment = environmentFor('webhookIngest', valueOf, undefined, { AWS_LAMBDA_FUNCTION_NAME: functionName, STAGE: stage });
    const observability = makeObservability({ serviceName: FUNCTIONS.webhookIngest.serviceName, namespace: METRICS_NAMESPACE });
    const ingest = makeHandler(dependenciesFrom(environment, observability)) as unknown as Handler;
    const clients = makeAwsClients(makeObservability({ serviceName: 'bench-floor' }).tracer);
    const floor = makeFloorHandler({
      dynamodb: clients.dynamodb(),
      eventBridge: clients.eventBridge(),
      secretsManager: clients.secretsManager(),
      idempotencyTable: names.table('idempotency'),
      eventBusName: names.busName,
      secretIds,
    });
    const handlers: Record<'webhookIngest' | 'floor', Handler> = { webhookIngest: ingest, floor };

    const run = Math.random().toString(36).slice(2, 8);
    const delivery = makeDeliveryFactory(secrets, run);
    let sequence = 0;
    /** Fresh signed deliveries as the gateway hands them over, built before a round (signing is the sender's work). */
    const eventsFor = (count: number) =>
      Array.from({ length: count }, () => {
        const n = sequence++;
        const { source, body, headers } = delivery(options.sources[n % options.sources.length]!, n);
        const path = `/v1/webhooks/${source}`;
        return gatewayEvent({ resource: '/v1/webhooks/{source}', path, method: 'POST', headers, pathParameters: { source }, body: Buffer.from(body), stage });
      });

    const invokeAll = async (handler: Handler, events: APIGatewayProxyEvent[]) => {
      const durations: number[] = [];
      const statuses: Record<string, number> = {};
      const duplicates = { count: 0 };
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: options.concurrency }, async () => {
          while (next < events.length) {
            const event = events[next++]!;
            const context = makeLambdaContext(functionName, FUNCTIONS.webhookIngest.timeoutSeconds, FUNCTIONS.webhookIngest.memoryMb);
            const t0 = performance.now();
            const result = await handler(event, context);
            durations.push(performance.now() - t0);
            statuses[result.statusCode] = (statuses[result.statusCode] ?? 0) + 1;
            if (result.statusCode === 202 && (JSON.parse(result.body) as { duplicate?: boolean }).duplicate) duplicates.count++;
          }
        }),
      );
      return { durations, statuses, duplicates: duplicates.count, seconds: (performance.now() - started) / 1000 };
    };

    // Warm-up: JIT, connections, the secrets cache; untimed.
    const output = swallowStdout();
    let warmupLogBytes = 0;
    try {
      for (const name of ['webhookIngest', 'floor'] as const) await invokeAll(handlers[name], eventsFor(options.warmup));
      warmupLogBytes = output.bytes();
    } catch (error) {
      output.restore();
      throw error;
    }

    const totals = Object.fromEntries(
      (['webhookIngest', 'floor'] as const).map((name) => [name, { durations: [] as number[], statuses: {} as Record<string, number>, duplicates: 0, seconds: 0, cpuMicros: 0, roundRates: [] as number[], logBytes: 0, aws: {} as Record<string, number>, heap: 0, rss: 0 }]),
    );
    const perRound = Math.floor(options.requests / options.rounds);
    try {
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? (['webhookIngest', 'floor'] as const) : (['floor', 'webhookIngest'] as const);
        for (const name of order) {
          const count = round === options.rounds - 1 ? options.requests - perRound * (options.rounds - 1) : perRound;
          const events = eventsFor(count);
          gc?.();
          const before = { stats: await stub.stats(), memory: process.memoryUsage(), logBytes: output.bytes() };
          const cpu = process.cpuUsage();
          const result = await invokeAll(handlers[name], events);
          const { user, system } = process.cpuUsage(cpu);
          const rssAfter = process.memoryUsage().rss;
          gc?.();
          const after = { stats: await stub.stats(), memory: process.memoryUsage(), logBytes: output.bytes() };
          const total = totals[name]!;
          total.durations.push(...result.durations);
          for (const [status, n] of Object.entries(result.statuses)) total.statuses[status] = (total.statuses[status] ?? 0) + n;
          total.duplicates += result.duplicates;
          total.seconds += result.seconds;
          total.cpuMicros += user + system;
          total.roundRates.push(result.durations.length / result.seconds);
          total.logBytes += after.logBytes - before.logBytes;
          for (const [operation, n] of Object.entries(difference(after.stats, before.stats))) total.aws[operation] = (total.aws[operation] ?? 0) + (n as number);
          total.heap += after.memory.heapUsed - before.memory.heapUsed;
          total.rss += rssAfter - before.memory.rss;
        }
      }
    } finally {
      output.restore();
    }

    const figures = (name: 'webhookIngest' | 'floor'): HandlerFigures => {
      const total = totals[name]!;
      return {
        requests: total.durations.length,
        statuses: total.statuses,
        seconds: round(total.seconds, 3),
        requestsPerSecond: round(total.durations.length / total.seconds, 1),
        ...durationFigures(total.durations),
        cpuMsPerRequest: round(total.cpuMicros / 1000 / total.durations.length, 3),
        awsRequests: total.aws,
        logBytes: total.logBytes,
        memory: { heapUsedDeltaBytes: total.heap, rssDeltaBytes: total.rss, gcForced: gc !== undefined },
      };
    };
    const webhookIngest = figures('webhookIngest');
    const floorFigures = figures('floor');
    const ratio = round(webhookIngest.requestsPerSecond / floorFigures.requestsPerSecond, 3);
    // Each round times both handlers back to back, so a round's ratio compares them under the same load.
    const roundRatios = totals.webhookIngest!.roundRates.map((rate, index) => rate / totals.floor!.roundRates[index]!).sort((a, b) => a - b);
    const stats = await stub.stats();

    // What the run claims, checked against what happened.
    const problems: string[] = [];
    for (const [name, handlerFigures] of Object.entries({ webhookIngest, floor: floorFigures })) {
      const accepted = handlerFigures.statuses['202'] ?? 0;
      if (accepted !== handlerFigures.requests) problems.push(`${name}: ${handlerFigures.requests - accepted} of ${handlerFigures.requests} requests were not answered 202 (${JSON.stringify(handlerFigures.statuses)})`);
      if (totals[name]!.duplicates > 0) problems.push(`${name}: ${totals[name]!.duplicates} new deliveries were answered as duplicates`);
      for (const operation of ['DynamoDB.PutItem', 'EventBridge.PutEvents', 'DynamoDB.UpdateItem']) {
        if (handlerFigures.awsRequests[operation] !== handlerFigures.requests) problems.push(`${name}: the stub received ${handlerFigures.awsRequests[operation] ?? 0} ${operation} for ${handlerFigures.requests} requests`);
      }
    }
    const unknown = Object.keys(stats.requests).filter((operation) => !['DynamoDB.PutItem', 'DynamoDB.UpdateItem', 'DynamoDB.GetItem', 'EventBridge.PutEvents', 'SecretsManager.GetSecretValue'].includes(operation));
    if (unknown.length > 0) problems.push(`the stub received operations it does not answer: ${unknown.join(', ')}`);
    if (warmupLogBytes === 0) problems.push('the handlers wrote nothing to stdout during the warm-up: logs and metrics were not measured');

    const report: IngestReport = {
      bench: 'ingest',
      ...measuredOn(),
      options: { requests: options.requests, concurrency: options.concurrency, warmup: options.warmup, rounds: options.rounds, sources: options.sources },
      handlers: { webhookIngest, floor: floorFigures },
      ratio,
      roundRatios: { min: round(roundRatios[0]!, 3), median: round(percentile(roundRatios, 50), 3), max: round(roundRatios.at(-1)!, 3) },
      cpuRatio: round(floorFigures.cpuMsPerRequest / webhookIngest.cpuMsPerRequest, 3),
      target: { minRatio: TARGET_RATIO, met: ratio >= TARGET_RATIO },
      awsStub: {
        requests: stats.requests,
        total: Object.values(stats.requests).reduce((sum, n) => sum + n, 0),
        eventsPut: stats.eventsPut,
        conditionalCheckFailures: stats.conditionalCheckFailures,
      },
      problems,
    };
    console.log(options.json ? JSON.stringify(report, null, 2) : formatIngestReport(report));
    return problems.length === 0;
  } finally {
    await stub.stop();
  }
};

runBench('bench:ingest', INGEST_USAGE, parseIngestOptions, main);

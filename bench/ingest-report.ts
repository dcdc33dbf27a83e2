import { parseArgs } from 'node:util';
import { wholeNumberOption } from './figures';
import { BENCH_SOURCES, type BenchSource } from './webhook-deliveries';

export const INGEST_USAGE = `Usage: npm run bench:ingest -- [--requests 2000] [--concurrency 1] [--warmup 300] [--rounds 20] [--sources erp,shopify,zendesk] [--json]

Runs the webhook ingest handler in-process against a local stub of the AWS APIs it calls, beside a floor
handler that only verifies, parses and makes the same SDK calls, in interleaved rounds; prints throughput,
p50/p99 per handler, their ratio and whether it meets the target (ingest >= 0.5 x the floor).
  --requests     timed requests per handler (split over the rounds)
  --concurrency  invocations in flight at once (1: one at a time, as one Lambda instance serves them)
  --warmup       untimed requests per handler before the first round
  --rounds       rounds, each timing both handlers back to back, in alternating order
  --sources      webhook sources, sent in turn (${BENCH_SOURCES.join(', ')})
  --json         one JSON object (bench/results/ingest.json is one)`;

export interface IngestOptions {
  requests: number;
  concurrency: number;
  warmup: number;
  rounds: number;
  sources: BenchSource[];
  json: boolean;
}

/** Reads the bench's options from its arguments, or throws an Error whose message says what is wrong. */
export const parseIngestOptions = (args: string[]): IngestOptions => {
  const { values } = parseArgs({
    args,
    options: {
      requests: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '300' },
      rounds: { type: 'string', default: '20' },
      sources: { type: 'string', default: BENCH_SOURCES.join(',') },
      json: { type: 'boolean', default: false },
    },
  });
  const sources = values.sources!.split(',').map((source) => source.trim());
  const unknown = sources.filter((source) => !(BENCH_SOURCES as readonly string[]).includes(source));
  if (unknown.length > 0 || sources.length === 0) throw new Error(`--sources takes ${BENCH_SOURCES.join(', ')}; got ${JSON.stringify(values.sources)}.`);
  const options = {
    requests: wholeNumberOption('requests', values.requests),
    concurrency: wholeNumberOption('concurrency', values.concurrency),
    warmup: wholeNumberOption('warmup', values.warmup, 0),
    rounds: wholeNumberOption('rounds', values.rounds),
    sources: sources as BenchSource[],
    json: values.json!,
  };
  if (options.requests < options.rounds) throw new Error(`--requests (${options.requests}) must be at least --rounds (${options.rounds}).`);
  return options;
};

export interface HandlerFigures {
  requests: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  /** CPU time (user + system) of the bench process per request while this handler was timed. */
  cpuMsPerRequest: number;
  /** Requests the AWS stub received while this handler was timed, by operation. */
  awsRequests: Record<string, number>;
  /** Bytes the handler wrote to stdout (Powertools logs and metrics), discarded, as CloudWatch would take them. */
  logBytes: number;
  memory: { heapUsedDeltaBytes: number; rssDeltaBytes: number; gcForced: boolean };
}

export interface IngestReport {
  bench: 'ingest';
  date: string;
  commit: string;
  uncommittedChanges: boolean;
  machine: Record<string, unknown>;
  options: Omit<IngestOptions, 'json'>;
  handlers: { webhookIngest: HandlerFigures; floor: HandlerFigures };
  /** webhookIngest's requests/s over the floor's. */
  ratio: number;
  /** The same ratio round by round (each round times both handlers back to back): its spread shows the machine's noise. */
  roundRatios: { min: number; median: number; max: number };
  /** The floor's CPU time per request over webhookIngest's: the ratio with waiting on the stub left out. */
  cpuRatio: number;
  target: { minRatio: number; met: boolean };
  /** What the stub received over the whole run (warm-up included), by operation. */
  awsStub: { requests: Record<string, number>; total: number; eventsPut: number; conditionalCheckFailures: number };
  /** Checks that the run did what it claims; the bench exits 1 when one fails. */
  problems: string[];
}

const count = (value: number) => value.toLocaleString('en-US');
const line = (name: string, figures: HandlerFigures) =>
  `${name.padEnd(14)} ${count(figures.requests)} requests in ${figures.seconds.toFixed(2)} s: ${figures.requestsPerSecond.toFixed(1)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, mean ${figures.meanMs} ms, max ${figures.maxMs} ms, CPU ${figures.cpuMsPerRequest} ms/request; ` +
  `statuses ${Object.entries(figures.statuses).map(([status, n]) => `${status}: ${count(n)}`).join(', ')}; AWS requests ${Object.entries(figures.awsRequests).map(([operation, n]) => `${operation} ${count(n)}`).join(', ')}`;

/** The report as a reader wants it on a terminal. */
export const formatIngestReport = (report: IngestReport) =>
  [
    `bench:ingest on ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.node}, commit ${report.commit.slice(0, 7)}${report.uncommittedChanges ? ' (with uncommitted changes)' : ''}, ${report.date}`,
    `${count(report.options.requests)} requests per handler in ${report.options.rounds} interleaved rounds, ${report.options.concurrency} in flight, after ${count(report.options.warmup)} warm-up each; sources ${report.options.sources.join(', ')}`,
    line('webhookIngest', report.handlers.webhookIngest),
    line('floor', report.handlers.floor),
    `ratio ${report.ratio.toFixed(3)} of the floor's throughput: target >= ${report.target.minRatio} ${report.target.met ? 'met' : 'NOT met'} (round by round: min ${report.roundRatios.min}, median ${report.roundRatios.median}, max ${report.roundRatios.max}; CPU per request, floor over ingest: ${report.cpuRatio})`,
    `webhookIngest memory: heap ${(report.handlers.webhookIngest.memory.heapUsedDeltaBytes / 1024).toFixed(0)} KiB retained, RSS ${(report.handlers.webhookIngest.memory.rssDeltaBytes / 1024).toFixed(0)} KiB over its timed rounds${report.handlers.webhookIngest.memory.gcForced ? ' (GC forced before and after each)' : ' (no --expose-gc: deltas include garbage)'}; logs ${count(report.handlers.webhookIngest.logBytes)} bytes`,
    `AWS stub received ${count(report.awsStub.total)} requests in all (warm-up included): ${Object.entries(report.awsStub.requests).map(([operation, n]) => `${operation} ${count(n)}`).join(', ')}; ${count(report.awsStub.conditionalCheckFailures)} conditional check failures`,
    ...(report.problems.length > 0 ? ['PROBLEMS:', ...report.problems.map((problem) => `  ${problem}`)] : []),
  ].join('\n');

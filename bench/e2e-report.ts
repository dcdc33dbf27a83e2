import { parseArgs } from 'node:util';
import { wholeNumberOption } from './figures';

export const E2E_USAGE = `Usage: npm run bench:e2e -- [--webhooks 200] [--concurrency 8] [--timeout-seconds 180] [--json]

Starts the local stack (its own moto, the ERP and service-desk simulators), opens one case per order,
sends N signed ERP order.status.changed webhooks, and times each from its POST to the moment the
service-desk simulator applied the case update; prints p50/p99, throughput and the counts.
  --webhooks         webhooks to send, one per order (after 5 untimed warm-up webhooks)
  --concurrency      POSTs in flight at once
  --timeout-seconds  how long to wait for the case updates after the last POST
  --json             one JSON object`;

export interface E2eOptions {
  webhooks: number;
  concurrency: number;
  timeoutSeconds: number;
  json: boolean;
}

/** Reads the bench's options from its arguments, or throws an Error whose message says what is wrong. */
export const parseE2eOptions = (args: string[]): E2eOptions => {
  const { values } = parseArgs({
    args,
    options: {
      webhooks: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '8' },
      'timeout-seconds': { type: 'string', default: '180' },
      json: { type: 'boolean', default: false },
    },
  });
  return {
    webhooks: wholeNumberOption('webhooks', values.webhooks),
    concurrency: wholeNumberOption('concurrency', values.concurrency),
    timeoutSeconds: wholeNumberOption('timeout-seconds', values['timeout-seconds']),
    json: values.json!,
  };
};

export interface E2eReport {
  bench: 'e2e';
  date: string;
  commit: string;
  uncommittedChanges: boolean;
  machine: Record<string, unknown>;
  options: Omit<E2eOptions, 'json'>;
  counts: { sent: number; accepted: number; refused: number; errors: number; updated: number; lost: number };
  /** POST → answer, every webhook sent. */
  post: { p50Ms: number; p99Ms: number; meanMs: number; maxMs: number };
  /** POST → the simulator applied the case update, every updated case. */
  endToEnd: { p50Ms: number; p99Ms: number; meanMs: number; maxMs: number };
  /** The 202 → the simulator applied the case update (negative when the update came first: ingest publishes before it answers). */
  answerToUpdate: { p50Ms: number; p99Ms: number; meanMs: number; maxMs: number };
  /** Case updates per second from the first POST to the last update; webhooks answered per second over the sending. */
  throughput: { caseUpdatesPerSecond: number; webhooksPerSecond: number; sendSeconds: number; lastUpdateSeconds: number };
  /** Calls the service-desk simulator answered during the run (searches, reads, updates). */
  serviceDeskCalls: number;
  note: string;
  problems: string[];
}

export const MOTO_NOTE = 'Bound by the emulator: moto serves one request at a time, and every hop (PutItem, PutEvents, the rule to SQS, each poll, delete and the sync-state writes) goes through it; these are not AWS figures.';

/** The report as a reader wants it on a terminal. */
export const formatE2eReport = (report: E2eReport) =>
  [
    `bench:e2e on ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.node}, commit ${report.commit.slice(0, 7)}${report.uncommittedChanges ? ' (with uncommitted changes)' : ''}, ${report.date}`,
    `${report.options.webhooks} ERP webhooks, ${report.options.concurrency} in flight: sent ${report.counts.sent}, accepted ${report.counts.accepted}, refused ${report.counts.refused}, errors ${report.counts.errors}, case updated ${report.counts.updated}, lost ${report.counts.lost}`,
    `POST → 202:           p50 ${report.post.p50Ms} ms, p99 ${report.post.p99Ms} ms, mean ${report.post.meanMs} ms; ${report.throughput.webhooksPerSecond} webhooks/s over ${report.throughput.sendSeconds} s`,
    `POST → case updated:  p50 ${report.endToEnd.p50Ms} ms, p99 ${report.endToEnd.p99Ms} ms, mean ${report.endToEnd.meanMs} ms, max ${report.endToEnd.maxMs} ms`,
    `202 → case updated:   p50 ${report.answerToUpdate.p50Ms} ms, p99 ${report.answerToUpdate.p99Ms} ms, mean ${report.answerToUpdate.meanMs} ms`,
    `throughput: ${report.throughput.caseUpdatesPerSecond} case updates/s (last update ${report.throughput.lastUpdateSeconds} s after the first POST); ${report.serviceDeskCalls} service-desk calls`,
    report.note,
    ...(report.problems.length > 0 ? ['PROBLEMS:', ...report.problems.map((problem) => `  ${problem}`)] : []),
  ].join('\n');

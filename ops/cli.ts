/**
 * `retail-sync` operations CLI: `retail-sync ops dlq list|peek|redrive|export|purge`, `ops replay`, `ops reconcile`,
 * `ops workflows list|show|retry|abandon`, `ops trace <id>`, `ops overview`, `ops delayed`, and `retail-sync console` (the same operations in the browser).
 * Exit codes: 0 success, 1 runtime error (missing queue, permission, network), 2 usage error, 130 interrupted (Ctrl-C).
 */
import './sdk-warnings';
import { createInterface } from 'node:readline/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  exportDlq,
  listDlqs,
  parseFilters,
  peekDlq,
  purgeDlq,
  redriveDlq,
  regionOf,
  resolveDlq,
  usesMoveTask,
  type DlqMessage,
  type DlqSummary,
  type ScanOptions,
} from './dlq';
import { auditorFor, type Auditor } from './audit';
import { clientSettings, closeConnection, openConnection, type ConnectionOptions, type OpsConnection } from './connection';
import { DELAYED_KINDS, listDelayed, parseKind, type DelayedEntity, type DelayedKind } from './delayed';
import { readOverview, type Overview } from './overview';
import { makeRedriveProgressBar } from './dlq/redrive-progress-bar';
import { InterruptedError, OpsError, UsageError } from './errors';
import { parseSince, reconciliationRun, requestReconciliation } from './reconcile';
import { parseTime, replayArchive } from './replay';
import { traceJourney, type Trace } from './trace';
import { decideWorkflow, listWorkflows, OPEN_STATES, parseState, showWorkflow, type WorkflowDetail } from './workflows';
import { bundleConsole } from './console/bundle';
import { makeConsoleOps } from './console/console-ops';
import { startConsoleServer, type ConsoleServer } from './console/server';
import type { WorkflowSummary } from '../functions/core/ports/workflow-tasks';
import type { ReconcileRun } from '../functions/core/reconciliation/reconcile-run';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks a yes/no question; defaults to a prompt on the terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** Shows a progress bar (on stderr) when true; defaults to stderr being a terminal. */
  progress?: boolean;
  /** Builds the SQS client; tests may inject one. */
  makeClient?: (config: ConnectionOptions) => SQSClient;
  /** Builds the DynamoDB client; tests may inject one. */
  makeDynamoClient?: (config: ConnectionOptions) => DynamoDBClient;
  /** Builds the EventBridge client; tests may inject one. */
  makeEventsClient?: (config: ConnectionOptions) => EventBridgeClient;
  /** Builds the Step Functions client; tests may inject one. */
  makeSfnClient?: (config: ConnectionOptions) => SFNClient;
  /** Who acts, for the audit lines of state-changing commands (default: the STS caller, or local:<os user> against the local stack). */
  who?: string;
  /** Builds the auditor of a state-changing command; tests may inject one (default: the stage's audit table, as `who`). */
  makeAuditor?: (config: ConnectionOptions) => Promise<Auditor>;
  env?: NodeJS.ProcessEnv;
  /** The file a running local stack leaves (default: .local/local-stack.json); tests point it elsewhere. */
  localStackFile?: string;
  /** Called with the console's server once it listens (tests stop it); by default it runs until Ctrl-C. */
  onConsole?: (server: ConsoleServer) => Promise<void>;
}

export type { ConnectionOptions } from './connection';

const promptOnTerminal = async (question: string): Promise<boolean> => {
  if (!process.stdin.isTTY) throw new UsageError('purge needs a confirmation: run it in a terminal or pass --yes');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    // Ctrl-D / closed input answers no.
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    return /^y(es)?$/i.test((await Promise.race([rl.question(`${question} [y/N] `), closed])).trim());
  } finally {
    rl.close();
  }
};

const positiveInt = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return parsed;
};
const positiveNumber = (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number.');
  return parsed;
};
const collect = (value: string, previous: string[]) => [...previous, value];

const formatAge = (seconds: number | undefined) => {
  if (seconds === undefined) return '-';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s}s` : `${s}s`;
};

/** Aligned columns; the columns in `numeric` are right-aligned. */
const table = (rows: string[][], numeric: number[]) => {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (numeric.includes(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd()).join('\n') + '\n';
};

export const formatList = (summaries: DlqSummary[]) =>
  table([
    ['DLQ', 'DEPTH', 'IN FLIGHT', 'OLDEST', 'SOURCE QUEUE'],
    ...summaries.map((s) =>
      s.exists
        ? [s.name, String(s.depth ?? 0), String(s.inFlight ?? 0), `${s.oldestIsLowerBound ? '>=' : ''}${formatAge(s.oldestAgeSeconds)}`, s.sourceQueue]
        : [s.name, '-', '-', 'missing', s.sourceQueue],
    ),
  ], [1, 2]);

export const formatMessages = (messages: DlqMessage[]) =>
  messages
    .map((m) =>
      [
        `${m.messageId}  ${m.errorClass}  attempts=${m.attempts ?? '-'}  first=${m.firstFailureAt ?? '-'}  last=${m.lastFailureAt ?? '-'}  correlation=${m.correlationId ?? '-'}${m.messageGroupId ? `  group=${m.messageGroupId}` : ''}`,
        `  payload: ${m.summary}`,
        ...(m.errorMessage ? [`  error:   ${m.errorMessage}`] : []),
      ].join('\n'),
    )
    .join('\n') + (messages.length > 0 ? '\n' : '');

export const formatRun = (run: ReconcileRun) => {
  const lines = [
    `Reconciliation ${run.runId} (${run.since} .. ${run.until}, requested by ${run.requestedBy}): ${run.status === 'requested' ? 'requested, waiting for the reconciler to start it' : run.status}`,
    `Checked ${run.checked} order(s) the ERP changed: ${run.inSync} in sync, ${run.inFlight} still in flight, ${run.drifted} drifted (${run.repaired} repaired), ${run.unreadable} unreadable`,
  ];
  const out = lines.join('\n') + '\n';
  const drifts = run.drifts.length
    ? table([
        ['ORDER', 'AGE', 'REPAIR', 'DRIFT', 'ERP', 'CASES'],
        ...run.drifts.map((drift) => [drift.orderId, formatAge(drift.ageSeconds), drift.repair, drift.kinds.join('+'), drift.erp, drift.cases]),
      ], [1])
    : '';
  const unreadable = run.unreadableOrders.map((order) => `unreadable: ${order.orderId}: ${order.reason}\n`).join('');
  const more = run.drifted > run.drifts.length ? `(${run.drifted - run.drifts.length} more drift(s) not listed: see the reconciler's "drift detected" log lines)\n` : '';
  return out + drifts + more + unreadable;
};

const ageSince = (at: string, now: Date) => formatAge(Math.max(0, Math.floor((now.getTime() - Date.parse(at)) / 1000)));

/** AGE is how long the workflow has been in its state. */
export const formatWorkflows = (workflows: WorkflowSummary[], now = new Date()) =>
  table([
    ['WORKFLOW', 'CASE', 'ORDER', 'STATE', 'MILESTONE', 'AGE'],
    ...workflows.map((w) => [w.workflowId, w.caseId, w.orderId, w.state, w.milestone, ageSince(w.updatedAt, now)]),
  ], []);

export const formatWorkflow = ({ summary, history, parked }: WorkflowDetail) => {
  const lines = [
    `Workflow ${summary.workflowId} (${summary.workflow}) for case ${summary.caseId}, order ${summary.orderId}`,
    `State: ${summary.state} (milestone ${summary.milestone})${summary.resolution ? `, resolution ${summary.resolution}` : ''}; started ${summary.startedAt}, last change ${summary.updatedAt}`,
    `ERP documents: ${summary.erpDocuments.length ? summary.erpDocuments.map((document) => `${document.type} ${document.reference}`).join(', ') : 'none'}`,
  ];
  if (parked) {
    lines.push(
      `Parked since ${parked.parkedAt}: "${parked.exception.step}" failed (${parked.exception.error})${parked.exception.cause ? `: ${parked.exception.cause}` : ''}`,
      `Decide with: retail-sync ops workflows retry ${summary.workflowId}   or   retail-sync ops workflows abandon ${summary.workflowId}`,
    );
  }
  const out = lines.join('\n') + '\n\nHistory (oldest first):\n';
  return out + table([
    ['AT', 'ACTOR', 'MILESTONE', 'STATE', 'CAUSE'],
    ...history.map((entry) => [entry.at, entry.actor, entry.milestone, entry.state, entry.cause + (entry.erpDocument ? ` [${entry.erpDocument.type} ${entry.erpDocument.reference}]` : '')]),
  ], []);
};

export const STUCK_MARKER = '<- stuck here';

export const formatTrace = (trace: Trace) => {
  const what = trace.kind === 'order' ? `order ${trace.id}` : `${trace.kind} ${trace.id}${trace.orderIds.length ? ` (order${trace.orderIds.length > 1 ? 's' : ''} ${trace.orderIds.join(', ')})` : ''}`;
  const rows = trace.steps.map((step, index) => [
    step.at ?? '-',
    step.step,
    step.system,
    step.outcome,
    trace.orderIds.length > 1 && step.orderId ? `${step.orderId}: ${step.detail}` : step.detail,
    index === trace.stuckAt ? STUCK_MARKER : '',
  ]);
  return (
    `Trace of ${what}\n\n` +
    table([['AT', 'STEP', 'SYSTEM', 'OUTCOME', 'DETAIL', ''], ...rows], []) +
    `\nVerdict: ${trace.verdict}\n` +
    trace.notes.map((note) => `note: ${note}\n`).join('')
  );
};

export const formatOverview = (overview: Overview) => {
  const lines = [
    `Stage ${overview.stage} at ${overview.generatedAt}`,
    '',
    `Orders out of sync: ${overview.sync.outOfSync}${overview.sync.oldest ? ` (oldest ${overview.sync.oldest.orderId}, ${formatAge(overview.sync.oldest.ageSeconds)}, since ${overview.sync.oldest.since})` : ''}`,
    `Workflows by state: ${Object.entries(overview.workflows.byState).map(([state, count]) => `${state} ${count}`).join(', ') || 'none'}`,
    `Past SLA: ${overview.sla.refundsPastSla} refund(s), ${overview.sla.replacementsPastSla} replacement(s); returns awaiting receipt: ${overview.sla.returnsAwaitingReceipt}; open exceptions: ${overview.exceptions.open}`,
    `ERP: breaker ${overview.erp.breaker.state}${overview.erp.breaker.openedAt ? ` since ${overview.erp.breaker.openedAt}` : ''}${overview.erp.breaker.openUntil ? ` until ${overview.erp.breaker.openUntil}` : ''}; budget ${overview.erp.budget.usedLastMinute} slot(s) booked in the last minute of ${overview.erp.budget.limitPerSecond}/s (${overview.erp.budget.limitSource}), ${(overview.erp.budget.utilisation * 100).toFixed(1)}% used`,
    '',
  ];
  const dlqs = table([['DLQ', 'DEPTH', 'OLDEST'], ...overview.dlqs.map((dlq) => [dlq.name, String(dlq.depth), formatAge(dlq.oldestAgeSeconds)])], [1]);
  const runs = overview.reconciliation.runs.length
    ? table([['RUN', 'STARTED', 'STATUS', 'CHECKED', 'DRIFT', 'REPAIRED'], ...overview.reconciliation.runs.map((run) => [run.runId, run.startedAt, run.status, String(run.checked), String(run.driftFound), String(run.repaired)])], [3, 4, 5])
    : 'No reconciliation run on record (kept 14 days)\n';
  return lines.join('\n') + dlqs + '\n' + runs;
};

export const formatDelayed = (entities: DelayedEntity[]) =>
  table([
    ['KIND', 'ID', 'ORDER', 'AGE', 'STEP', 'BOUND', 'REASON', 'TRACE'],
    ...entities.map((entity) => [entity.kind, entity.id, entity.orderId ?? '-', formatAge(entity.ageSeconds), entity.step, entity.bound, entity.reason, entity.traceId]),
  ], [3]);

/** `--min-age`: a duration such as 90s, 15m, 2h, 1d. */
const parseMinAge = (value: string) => {
  const match = /^(\d+)([smhd])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 90s, 15m, 2h or 1d.');
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
};
const parseKindOption = (value: string, previous: DelayedKind[]) => {
  try {
    return [...previous, parseKind(value)];
  } catch {
    throw new InvalidArgumentError(`expected one of ${DELAYED_KINDS.join(', ')}.`);
  }
};

const scanOptionsFor = (emulator: boolean): ScanOptions => ({ waitTimeSeconds: emulator ? 0 : 1 });

/** Builds the program; `run` parses and maps errors to exit codes. */
export const buildProgram = (io: CliIo) => {
  const env = io.env ?? process.env;
  const program = new Command('retail-sync').description('Retail sync backbone tools').exitOverride().showSuggestionAfterError();
  program.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const settingsFor = (options: ConnectionOptions, service: Parameters<typeof clientSettings>[1]) => clientSettings(options, service, env, io.localStackFile);
  const connect = (options: ConnectionOptions) => {
    const settings = settingsFor(options, 'SQS');
    const sqs = io.makeClient ? io.makeClient({ ...options, endpoint: settings.endpoint }) : new SQSClient(settings);
    return { sqs, emulator: Boolean(settings.endpoint), scan: scanOptionsFor(Boolean(settings.endpoint)) };
  };

  /** Every client of the stage in one connection (the ops library's functions take it); tests' injected clients are used. */
  const openOps = (options: ConnectionOptions): OpsConnection =>
    openConnection(options, env, io.localStackFile, { sqs: io.makeClient, dynamodb: io.makeDynamoClient, sfn: io.makeSfnClient, events: io.makeEventsClient });
  /** The auditor of a state-changing command: who acts, writing to the stage's audit table with the same credentials. */
  const auditorOf = async (options: ConnectionOptions): Promise<{ audit: Auditor; close: () => void }> => {
    if (io.makeAuditor) {
      const audit = await io.makeAuditor(options);
      return { audit, close: () => undefined };
    }
    const conn = openOps(options);
    try {
      const audit = await auditorFor(conn, io.who);
      const close = () => {
        // The action happened either way: a line that could not be written is a warning, not a failed command.
        for (const problem of new Set(audit.problems)) io.stderr(`warning: not recorded in the audit trail: ${problem}\n`);
        closeConnection(conn);
      };
      return { audit, close };
    } catch (error) {
      closeConnection(conn);
      throw error;
    }
  };

  const withConnection = (command: Command) =>
    command
      .option('--stage <stage>', 'stage whose queues to use', 'local')
      .option('--region <region>', 'AWS region (default: from the environment or profile)')
      .option('--profile <profile>', 'AWS profile')
      .option('--endpoint <url>', 'AWS endpoint, e.g. the local emulator; region and credentials are then implied (default: $AWS_ENDPOINT_URL, else the running local stack of the stage)')
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const withFilters = (command: Command) =>
    command
      .option('--filter <key=value>', 'only messages whose errorClass/attribute matches (repeatable, * is a wildcard)', collect, [] as string[])
      .option('--max <n>', 'at most n messages', positiveInt);

  const ops = program.command('ops').description('Operations').exitOverride();
  const dlq = ops.command('dlq').description('Dead-letter queues').exitOverride();

  withConnection(ops.command('replay').description('replay archived events of a time window onto the bus'))
    .requiredOption('--from <time>', 'start of the window (ISO-8601)')
    .requiredOption('--to <time>', 'end of the window (ISO-8601)')
    .option('--detail-type <type>', 'only to the rules routing this detail type (repeatable)', collect, [] as string[])
    .option('--name <name>', 'replay name (default: derived from the bus and the time)')
    .option('--wait <seconds>', 'wait this long for the replay to finish (0: do not wait)', '300')
    .action(async (options: ConnectionOptions & { from: string; to: string; detailType: string[]; name?: string; wait: string }) => {
      const settings = settingsFor(options, 'EVENTBRIDGE');
      const events = io.makeEventsClient ? io.makeEventsClient({ ...options, endpoint: settings.endpoint }) : new EventBridgeClient(settings);
      let auditor: Awaited<ReturnType<typeof auditorOf>> | undefined;
      try {
        auditor = await auditorOf(options);
        const waitSeconds = Number(options.wait);
        if (!Number.isInteger(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait must be a whole number of seconds; got "${options.wait}"`);
        const result = await replayArchive(events, {
          stage: options.stage,
          from: parseTime(options.from, '--from'),
          to: parseTime(options.to, '--to'),
          detailTypes: options.detailType,
          name: options.name,
          waitSeconds,
          audit: auditor.audit,
        });
        io.stdout(`Replay ${result.name} from ${result.archive}: ${result.state}${result.rules.length > 0 ? ` (rules: ${result.rules.join(', ')})` : ' (all rules)'}\n`);
      } finally {
        auditor?.close();
        events.destroy();
      }
    });

  withConnection(ops.command('reconcile').description("compare orders the ERP changed in a window with the sync state and the service desk; repair drift"))
    .option('--since <time>', 'start of the window: ISO-8601 or a duration back from now (90m, 2h, 1d)')
    .option('--until <time>', 'end of the window (default: now)')
    .option('--no-repair', 'report drift, repair nothing')
    .option('--wait <seconds>', 'wait this long for the run to finish (0: do not wait)', '300')
    .option('--run <runId>', 'show the record of an earlier run instead of starting one')
    .option('--json', 'JSON output')
    .action(async (options: ConnectionOptions & { since?: string; until?: string; repair: boolean; wait: string; run?: string; json?: boolean }) => {
      if (options.run !== undefined && options.since !== undefined) throw new UsageError('use either --since (start a run) or --run (show one), not both');
      if (options.run === undefined && options.since === undefined) throw new UsageError('--since is required to start a run (or --run <runId> to show one)');
      const waitSeconds = Number(options.wait);
      if (!Number.isInteger(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait must be a whole number of seconds; got "${options.wait}"`);
      const { sqs, emulator } = connect(options);
      const settings = settingsFor(options, 'DYNAMODB');
      const dynamodb = io.makeDynamoClient ? io.makeDynamoClient({ ...options, endpoint: settings.endpoint }) : new DynamoDBClient(settings);
      try {
        if (options.run !== undefined) {
          const run = await reconciliationRun(dynamodb, options.stage, options.run);
          io.stdout(options.json ? JSON.stringify(run, null, 2) + '\n' : formatRun(run));
          return;
        }
        const now = new Date();
        const auditor = await auditorOf(options);
        const outcome = await requestReconciliation(
          { sqs, dynamodb },
          {
            stage: options.stage,
            since: parseSince(options.since!, '--since', now),
            until: options.until ? parseSince(options.until, '--until', now) : now,
            repair: options.repair,
            waitSeconds,
            pollMs: emulator ? 250 : 2000,
            audit: auditor.audit,
          },
        ).finally(() => auditor.close());
        if (options.json) io.stdout(JSON.stringify(outcome, null, 2) + '\n');
        else if (outcome.run?.status === 'done') io.stdout(formatRun(outcome.run));
        else {
          io.stdout(`Reconciliation ${outcome.runId} requested on ${outcome.queue}${waitSeconds > 0 ? `; not finished after ${waitSeconds} s` : ''}.\n`);
          io.stdout(`Follow it with: retail-sync ops reconcile --run ${outcome.runId} --stage ${options.stage}\n`);
        }
      } finally {
        sqs.destroy();
        dynamodb.destroy();
      }
    });

  const workflows = ops.command('workflows').description('Refund-or-replacement workflows: where they stand, and decisions on parked ones').exitOverride();
  const connectWorkflows = (options: ConnectionOptions) => {
    const dynamoSettings = settingsFor(options, 'DYNAMODB');
    const sfnSettings = settingsFor(options, 'SFN');
    return {
      dynamodb: io.makeDynamoClient ? io.makeDynamoClient({ ...options, endpoint: dynamoSettings.endpoint }) : new DynamoDBClient(dynamoSettings),
      sfn: io.makeSfnClient ? io.makeSfnClient({ ...options, endpoint: sfnSettings.endpoint }) : new SFNClient(sfnSettings),
    };
  };

  withConnection(workflows.command('list').description('workflows in a state (default: running, waiting-for-return and exception), the longest unchanged first'))
    .option('--state <state>', 'running, waiting-for-return, exception, resolved, rejected or abandoned', parseState)
    .option('--limit <n>', 'at most n workflows', positiveInt, 50)
    .option('--json', 'JSON output')
    .action(async (options: ConnectionOptions & { state?: ReturnType<typeof parseState>; limit: number; json?: boolean }) => {
      const { dynamodb, sfn } = connectWorkflows(options);
      try {
        const found = await listWorkflows(dynamodb, options.stage, options.state ? [options.state] : OPEN_STATES, options.limit);
        if (options.json) io.stdout(JSON.stringify(found, null, 2) + '\n');
        else io.stdout(found.length ? formatWorkflows(found) : `No workflow ${options.state ? `in state ${options.state}` : 'running, waiting for a return or parked'} in stage "${options.stage}"\n`);
      } finally {
        dynamodb.destroy();
        sfn.destroy();
      }
    });

  withConnection(workflows.command('show').argument('<workflowId>', 'workflow id, e.g. rr-4711-SO-1001-…').description('summary, ERP documents, history and the parked exception if any'))
    .option('--json', 'JSON output')
    .action(async (workflowId: string, options: ConnectionOptions & { json?: boolean }) => {
      const { dynamodb, sfn } = connectWorkflows(options);
      try {
        const detail = await showWorkflow(dynamodb, options.stage, workflowId);
        io.stdout(options.json ? JSON.stringify(detail, null, 2) + '\n' : formatWorkflow(detail));
      } finally {
        dynamodb.destroy();
        sfn.destroy();
      }
    });

  for (const action of ['retry', 'abandon'] as const) {
    const description = action === 'retry' ? 'run the failed step of a parked workflow again' : 'end a parked workflow as abandoned (the case is told)';
    withConnection(workflows.command(action).argument('<workflowId>', 'id of a workflow parked as an exception').description(description))
      .action(async (workflowId: string, options: ConnectionOptions) => {
        const { dynamodb, sfn } = connectWorkflows(options);
        let auditor: Awaited<ReturnType<typeof auditorOf>> | undefined;
        try {
          auditor = await auditorOf(options);
          const taken = await decideWorkflow({ dynamodb, sfn }, options.stage, workflowId, action, auditor.audit);
          const failed = `"${taken.exception.step}" (${taken.exception.error})`;
          io.stdout(action === 'retry' ? `Workflow ${workflowId}: retrying ${failed}\n` : `Workflow ${workflowId}: abandoned after ${failed}\n`);
        } finally {
          auditor?.close();
          dynamodb.destroy();
          sfn.destroy();
        }
      });
  }

  withConnection(ops.command('trace').argument('<id>', 'an order id, a delivery (correlation) id, an event id (evt_…), a workflow id or a case id').description("one order's or delivery's journey across the stack, and where it stopped"))
    .option('--json', 'JSON output')
    .action(async (id: string, options: ConnectionOptions & { json?: boolean }) => {
      const { sqs, scan } = connect(options);
      const settings = settingsFor(options, 'DYNAMODB');
      const dynamodb = io.makeDynamoClient ? io.makeDynamoClient({ ...options, endpoint: settings.endpoint }) : new DynamoDBClient(settings);
      try {
        const trace = await traceJourney({ dynamodb, sqs }, id, { ...scan, stage: options.stage });
        io.stdout(options.json ? JSON.stringify(trace, null, 2) + '\n' : formatTrace(trace));
      } finally {
        sqs.destroy();
        dynamodb.destroy();
      }
    });

  withConnection(ops.command('overview').description('integration health beside business KPIs: orders out of sync, reconciliation runs, workflows, SLAs, exceptions, DLQs, the ERP breaker and budget'))
    .option('--erp-requests-per-second <n>', "the stage's ERP budget (erpRequestsPerSecond), assumed until the stage's gate has recorded it on a booking", positiveNumber)
    .option('--json', 'JSON output')
    .action(async (options: ConnectionOptions & { erpRequestsPerSecond?: number; json?: boolean }) => {
      const conn = openOps(options);
      try {
        const overview = await readOverview(conn, new Date(), { ...(options.erpRequestsPerSecond ? { erpRequestsPerSecond: options.erpRequestsPerSecond } : {}) });
        io.stdout(options.json ? JSON.stringify(overview, null, 2) + '\n' : formatOverview(overview));
      } finally {
        closeConnection(conn);
      }
    });

  withConnection(ops.command('delayed').description('everything waiting past its bound: orders not in sync, refunds past SLA, returns not received, parked workflows, ERP commands not done'))
    .option('--kind <kind>', `only this kind (repeatable): ${DELAYED_KINDS.join(', ')}`, parseKindOption, [] as DelayedKind[])
    .option('--min-age <duration>', 'only what has waited at least this long (90s, 15m, 2h, 1d)', parseMinAge)
    // --region is the AWS region, as on every command.
    .option('--order-region <region>', "only entities of this business region (the order's ship-to country)")
    .option('--brand <brand>', 'only entities of this brand')
    .option('--json', 'JSON output')
    .action(async (options: ConnectionOptions & { kind: DelayedKind[]; minAge?: number; orderRegion?: string; brand?: string; json?: boolean }) => {
      const conn = openOps(options);
      try {
        const filter = {
          ...(options.kind.length ? { kinds: options.kind } : {}),
          ...(options.minAge !== undefined ? { minAgeSeconds: options.minAge } : {}),
          ...(options.orderRegion ? { region: options.orderRegion } : {}),
          ...(options.brand ? { brand: options.brand } : {}),
        };
        const found = await listDelayed(conn, filter);
        io.stdout(options.json ? JSON.stringify(found, null, 2) + '\n' : found.length ? formatDelayed(found) : `Nothing delayed in stage "${options.stage}"${Object.keys(filter).length ? ' that matches' : ''}\n`);
      } finally {
        closeConnection(conn);
      }
    });

  withConnection(dlq.command('list').description('every DLQ of the stage with depth, oldest message age and source queue'))
    .option('--json', 'JSON output')
    .action(async (options: ConnectionOptions & { json?: boolean }) => {
      const { sqs, scan } = connect(options);
      try {
        const summaries = await listDlqs(sqs, options.stage, scan);
        if (summaries.every((summary) => !summary.exists)) {
          throw new OpsError(`No queue of stage "${options.stage}" exists in ${await regionOf(sqs)}: is the stage deployed in this region (--region), or the local stack running?`);
        }
        io.stdout(options.json ? JSON.stringify(summaries, null, 2) + '\n' : formatList(summaries));
      } finally {
        sqs.destroy();
      }
    });

  withFilters(withConnection(dlq.command('peek').argument('<queue>', 'queue name, e.g. erp-commands').description('show messages without consuming them')))
    .option('--json', 'JSON output (one array)')
    .action(async (queue: string, options: ConnectionOptions & { filter: string[]; max?: number; json?: boolean }) => {
      const filters = parseFilters(options.filter);
      const { sqs, scan } = connect(options);
      try {
        const target = await resolveDlq(sqs, options.stage, queue);
        const messages = await peekDlq(sqs, target, { ...scan, filters, max: options.max ?? 50 });
        io.stdout(options.json ? JSON.stringify(messages, null, 2) + '\n' : formatMessages(messages) || `No matching messages in ${target.name}\n`);
      } finally {
        sqs.destroy();
      }
    });

  withFilters(withConnection(dlq.command('redrive').argument('<queue>', 'queue name, e.g. erp-commands').description('move messages back to their source queue')))
    .option('--max-per-second <n>', 'send at most n messages per second', positiveNumber)
    .option('--dry-run', 'show what would move, move nothing')
    .option('--json', 'JSON output')
    .action(async (queue: string, options: ConnectionOptions & { filter: string[]; max?: number; maxPerSecond?: number; dryRun?: boolean; json?: boolean }) => {
      const filters = parseFilters(options.filter);
      const { sqs, scan, emulator } = connect(options);
      const showBar = (io.progress ?? Boolean(process.stderr.isTTY)) && !options.json && !options.dryRun;
      const bar = makeRedriveProgressBar(showBar);
      // Ctrl-C stops after the message being moved, gives the rest back and prints what was done.
      const interrupt = new AbortController();
      const onInterrupt = () => interrupt.abort();
      process.once('SIGINT', onInterrupt);
      let auditor: Awaited<ReturnType<typeof auditorOf>> | undefined;
      try {
        const target = await resolveDlq(sqs, options.stage, queue);
        if (!options.dryRun) auditor = await auditorOf(options);
        const redriveOptions = { ...scan, filters, max: options.max, maxPerSecond: options.maxPerSecond, dryRun: options.dryRun, emulator, onProgress: bar.onProgress, signal: interrupt.signal, audit: auditor?.audit };
        if (usesMoveTask(redriveOptions) && !options.json) io.stderr(`Starting an SQS message move task from ${target.name} to ${target.sourceName}\n`);
        const result = await redriveDlq(sqs, target, redriveOptions).finally(() => bar.stop());
        if (options.json) io.stdout(JSON.stringify(result, null, 2) + '\n');
        else if (result.dryRun) {
          io.stdout(formatMessages(result.wouldMove ?? []));
          io.stdout(`Dry run: would move ${result.wouldMove?.length ?? 0} of ${result.scanned} message(s) from ${target.name} to ${target.sourceName}\n`);
        } else {
          io.stdout(`${result.interrupted ? 'Interrupted: moved' : 'Moved'} ${result.moved} message(s) from ${target.name} to ${target.sourceName}${result.mode === 'move-task' ? ` (move task ${result.taskHandle ?? ''})` : ` (${result.scanned} scanned)`}\n`);
          if (result.cameBack) io.stdout(`${result.cameBack} moved message(s) failed again and came back to ${target.name}; they were not moved again\n`);
        }
        if (result.interrupted) throw new InterruptedError(`redrive of ${target.name} interrupted; the messages not moved are still in the DLQ`);
      } finally {
        auditor?.close();
        process.removeListener('SIGINT', onInterrupt);
        sqs.destroy();
      }
    });

  withFilters(withConnection(dlq.command('export').argument('<queue>', 'queue name, e.g. erp-commands').description('write messages to a JSON Lines file without consuming them')))
    .requiredOption('--out <file>', 'JSON Lines file to write')
    .action(async (queue: string, options: ConnectionOptions & { filter: string[]; max?: number; out: string }) => {
      const filters = parseFilters(options.filter);
      const { sqs, scan } = connect(options);
      try {
        const target = await resolveDlq(sqs, options.stage, queue);
        const { count, file } = await exportDlq(sqs, target, { ...scan, filters, max: options.max, out: options.out });
        io.stdout(`Exported ${count} message(s) from ${target.name} to ${file}\n`);
      } finally {
        sqs.destroy();
      }
    });

  withConnection(dlq.command('purge').argument('<queue>', 'queue name, e.g. erp-commands').description('delete messages (exported first unless --no-export)'))
    .option('--filter <key=value>', 'only messages matching (repeatable)', collect, [] as string[])
    .option('--yes', 'do not ask for confirmation')
    .addOption(new Option('--out <file>', 'export file (default: <dlq>-<timestamp>.jsonl)'))
    .option('--no-export', 'do not export before deleting')
    .action(async (queue: string, options: ConnectionOptions & { filter: string[]; yes?: boolean; out?: string; export: boolean }) => {
      const filters = parseFilters(options.filter);
      if (!options.yes && !io.confirm && !process.stdin.isTTY) throw new UsageError('purge needs a confirmation: run it in a terminal or pass --yes');
      const { sqs, scan } = connect(options);
      let auditor: Awaited<ReturnType<typeof auditorOf>> | undefined;
      try {
        const target = await resolveDlq(sqs, options.stage, queue);
        auditor = await auditorOf(options);
        const exportTo = options.export ? (options.out ?? `${target.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`) : undefined;
        const result = await purgeDlq(sqs, target, { ...scan, filters, yes: options.yes, exportTo, confirm: io.confirm ?? promptOnTerminal, audit: auditor.audit });
        if (result.exported) io.stdout(`Exported ${result.matched} message(s) to ${result.exported}\n`);
        if (!result.confirmed) {
          io.stdout(`Purge cancelled: nothing deleted from ${target.name}\n`);
          return;
        }
        io.stdout(`Deleted ${result.deleted} message(s) from ${target.name}\n`);
      } finally {
        auditor?.close();
        sqs.destroy();
      }
    });

  withConnection(program.command('console').description('the ops console in the browser: a web server on 127.0.0.1 over the same ops library, with your AWS credentials'))
    .option('--port <port>', 'port to listen on (default: a free one)', (value: string) => {
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('expected a port number (0-65535).');
      return parsed;
    })
    .action(async (options: ConnectionOptions & { port?: number }) => {
      const ops = makeConsoleOps(options, env, io.localStackFile);
      let server: ConsoleServer | undefined;
      try {
        server = await startConsoleServer({ ops, assets: await bundleConsole(), port: options.port ?? 0 }).catch((error: NodeJS.ErrnoException) => {
          throw error.code === 'EADDRINUSE' ? new OpsError(`Port ${options.port} is in use: choose another with --port, or leave it out for a free one`) : error;
        });
        io.stdout(`retail-sync console for stage "${options.stage}": ${server.url}\n(Ctrl-C to stop)\n`);
        if (io.onConsole) await io.onConsole(server);
        else await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      } finally {
        await server?.close();
        ops.close();
      }
    });

  return program;
};

/** Runs the CLI on `args` (without node and script) and returns the exit code. */
export const run = async (args: string[], io: CliIo): Promise<number> => {
  const program = buildProgram(io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version'].includes(error.code)) return 0;
      return 2; // commander already printed the message
    }
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InterruptedError) {
      io.stderr(`${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof OpsError ? error.message : `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
    io.stderr(`error: ${message.split('\n')[0]}\n`);
    return 1;
  }
};

if (require.main === module) {
  void run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then((code) => {
    process.exitCode = code;
  });
}

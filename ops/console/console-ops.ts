/**
 * The ops library as the console calls it: one method per API route, over the same clients and options
 * the CLI builds (ops/connection.ts). No DLQ, replay, reconcile, trace or workflow logic lives here: each
 * method is a call into ops/dlq, ops/reconcile.ts, ops/workflows.ts or ops/trace.ts. The server takes a
 * `ConsoleOps`, so its tests can pass a fake.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { WorkflowState } from '../../functions/core/canonical/workflow';
import type { WorkflowSummary } from '../../functions/core/ports/workflow-tasks';
import type { ReconcileRun } from '../../functions/core/reconciliation/reconcile-run';
import { auditorFor, whoAmI } from '../audit';
import { closeConnection, openConnection, type ConnectionOptions } from '../connection';
import { listDelayed, type DelayedEntity, type DelayedFilter } from '../delayed';
import { readMetricsHistory } from '../metrics-history';
import { readOverview, type Overview } from '../overview';
import {
  exportDlq,
  listDlqs,
  parseFilters,
  peekDlq,
  purgeDlq,
  redriveDlq,
  resolveDlq,
  type DlqMessage,
  type DlqSummary,
  type RedriveProgress,
  type RedriveResult,
  type PurgeResult,
} from '../dlq';
import { requestReconciliation, reconciliationRun, type ReconcileOutcome } from '../reconcile';
import { traceJourney, type Trace } from '../trace';
import { decideWorkflow, listWorkflows, showWorkflow, type WorkflowDetail } from '../workflows';

export type MetricsHistory = Awaited<ReturnType<typeof readMetricsHistory>>;

export interface DlqSelection {
  /** `key=value` filters, as `--filter` takes them. */
  filters?: string[];
  max?: number;
}

export interface ConsoleOps {
  stage: string;
  whoAmI(): Promise<string>;
  readOverview(): Promise<Overview>;
  listDelayed(filter: DelayedFilter): Promise<DelayedEntity[]>;
  readMetricsHistory(hours: number): Promise<MetricsHistory>;
  traceJourney(id: string): Promise<Trace>;
  listDlqs(): Promise<DlqSummary[]>;
  peekDlq(queue: string, selection: DlqSelection): Promise<{ queue: string; sourceQueue: string; messages: DlqMessage[] }>;
  /** The messages as JSON Lines, as `ops dlq export` writes them. */
  exportDlq(queue: string, selection: DlqSelection): Promise<{ queue: string; count: number; jsonLines: string }>;
  redriveDlq(queue: string, selection: DlqSelection & { maxPerSecond?: number; dryRun?: boolean }, who: string, onProgress: (progress: RedriveProgress) => void, signal: AbortSignal): Promise<RedriveResult & { queue: string; sourceQueue: string }>;
  /** `confirmation` must be the DLQ's full name, as the operator typed it. */
  purgeDlq(queue: string, selection: { filters?: string[]; exportTo?: string }, confirmation: string, who: string): Promise<PurgeResult & { queue: string }>;
  listWorkflows(states: WorkflowState[], limit: number): Promise<WorkflowSummary[]>;
  showWorkflow(workflowId: string): Promise<WorkflowDetail>;
  decideWorkflow(workflowId: string, action: 'retry' | 'abandon', who: string): Promise<{ workflowId: string; action: string; step: string; error: string }>;
  requestReconciliation(window: { since: Date; until: Date; repair: boolean }, who: string): Promise<ReconcileOutcome>;
  reconciliationRun(runId: string): Promise<ReconcileRun>;
  close(): void;
}

/** The typed confirmation of a purge did not name the queue. */
export class ConfirmationMismatchError extends Error {
  override name = 'ConfirmationMismatchError';
}

/**
 * @example
 * const ops = makeConsoleOps({ stage: 'local' }, process.env); // the running local stack, as the CLI finds it
 */
export const makeConsoleOps = (options: ConnectionOptions, env: NodeJS.ProcessEnv, localStackFile?: string): ConsoleOps => {
  const conn = openConnection(options, env, localStackFile);
  const { sqs, dynamodb, sfn, scan, stage } = conn;
  const emulator = Boolean(conn.endpoint);
  const target = (queue: string) => resolveDlq(sqs, stage, queue);

  return {
    stage,
    whoAmI: () => whoAmI(conn),
    readOverview: () => readOverview(conn),
    listDelayed: (filter) => listDelayed(conn, filter),
    readMetricsHistory: (hours) => readMetricsHistory(conn, hours),
    traceJourney: (id) => traceJourney({ dynamodb, sqs }, id, { ...scan, stage }),
    listDlqs: () => listDlqs(sqs, stage, scan),
    async peekDlq(queue, selection) {
      const filters = parseFilters(selection.filters);
      const dlq = await target(queue);
      return { queue: dlq.name, sourceQueue: dlq.sourceName, messages: await peekDlq(sqs, dlq, { ...scan, filters, max: selection.max ?? 50 }) };
    },
    async exportDlq(queue, selection) {
      const filters = parseFilters(selection.filters);
      const dlq = await target(queue);
      const dir = await mkdtemp(path.join(tmpdir(), 'retail-sync-console-'));
      try {
        const { count, file } = await exportDlq(sqs, dlq, { ...scan, filters, max: selection.max, out: path.join(dir, `${dlq.name}.jsonl`) });
        return { queue: dlq.name, count, jsonLines: await readFile(file, 'utf8') };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async redriveDlq(queue, selection, who, onProgress, signal) {
      const filters = parseFilters(selection.filters);
      const dlq = await target(queue);
      const result = await redriveDlq(sqs, dlq, { ...scan, filters, max: selection.max, maxPerSecond: selection.maxPerSecond, dryRun: selection.dryRun, emulator, onProgress, signal, audit: await auditorFor(conn, who) });
      return { ...result, queue: dlq.name, sourceQueue: dlq.sourceName };
    },
    async purgeDlq(queue, selection, confirmation, who) {
      const filters = parseFilters(selection.filters);
      const dlq = await target(queue);
      if (confirmation.trim() !== dlq.name) throw new ConfirmationMismatchError(`Type the queue's name, ${dlq.name}, to purge it; got "${confirmation}"`);
      const result = await purgeDlq(sqs, dlq, { ...scan, filters, yes: true, exportTo: selection.exportTo, confirm: async () => true, audit: await auditorFor(conn, who) });
      return { ...result, queue: dlq.name };
    },
    listWorkflows: (states, limit) => listWorkflows(dynamodb, stage, states, limit),
    showWorkflow: (workflowId) => showWorkflow(dynamodb, stage, workflowId),
    async decideWorkflow(workflowId, action, who) {
      const taken = await decideWorkflow({ dynamodb, sfn }, stage, workflowId, action, await auditorFor(conn, who));
      return { workflowId, action, step: taken.exception.step, error: taken.exception.error };
    },
    requestReconciliation: async (window, who) => requestReconciliation({ sqs, dynamodb }, { stage, ...window, waitSeconds: 0, audit: await auditorFor(conn, who) }),
    reconciliationRun: (runId) => reconciliationRun(dynamodb, stage, runId),
    close: () => closeConnection(conn),
  };
};

import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { makeDynamoDbReconcileRunStore } from '../functions/adapters/reconcile-run-store';
import { ReconcileRequest } from '../functions/core/reconciliation/reconcile-request';
import type { ReconcileRun } from '../functions/core/reconciliation/reconcile-run';
import { QUEUES, resourceNames } from '../lib/topology';
import { auditTarget, type Auditor } from './audit';
import { explainAwsError, isQueueMissing, OpsError, UsageError } from './errors';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A time on the command line: ISO-8601, or a duration back from now such as `90m`, `2h`, `1d`. */
export const parseSince = (value: string, option: string, now: Date): Date => {
  const relative = /^(\d+)([smhd])$/.exec(value.trim());
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2]!]! * 1000);
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`${option} must be an ISO-8601 time (2026-11-27T09:00:00Z) or a duration back from now (90m, 2h, 1d); got "${value}"`);
  return parsed;
};

export interface ReconcileOptions {
  stage: string;
  since: Date;
  until: Date;
  repair: boolean;
  /** How long to wait for the run to finish (0: do not wait). */
  waitSeconds: number;
  pollMs?: number;
  runId?: string;
  now?: () => Date;
  /** Who asks: an audit line on the run (`run:<runId>`). */
  audit?: Auditor;
}

export interface ReconcileOutcome {
  runId: string;
  queue: string;
  /** The run as recorded so far; absent when not waiting or nothing recorded yet. */
  run?: ReconcileRun;
  finished: boolean;
}

const reconcilerQueue = QUEUES.find((spec) => spec.consumer === 'reconciler')!;
const coordinationTableOf = (stage: string) => resourceNames(stage).table('coordination');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks the stage's reconciler for a run over [since, until] (the same queue the schedule feeds, so the
 * work runs in the stage with its own ERP and service-desk access), then follows the run's record.
 */
export const requestReconciliation = async (clients: { sqs: SQSClient; dynamodb: DynamoDBClient }, options: ReconcileOptions): Promise<ReconcileOutcome> => {
  const now = options.now ?? (() => new Date());
  if (options.since.getTime() > options.until.getTime()) throw new UsageError('--since must be before --until');
  const runId = options.runId ?? `cli-${now().toISOString().replace(/[^\dTZ]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const request = ReconcileRequest.safeParse({ runId, since: options.since.toISOString(), until: options.until.toISOString(), requestedBy: 'ops-cli', repair: options.repair });
  if (!request.success) throw new UsageError(`Invalid reconciliation request: ${request.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);

  const queue = resourceNames(options.stage).queue(reconcilerQueue);
  const detail = { since: request.data.since, until: request.data.until, repair: request.data.repair };
  try {
    await send(clients, options, queue, request.data, now);
  } catch (error) {
    await options.audit?.record({ action: 'reconcile.request', target: auditTarget.run(runId), detail: { ...detail, error: (error as Error).message }, outcome: 'failed' });
    throw error;
  }
  await options.audit?.record({ action: 'reconcile.request', target: auditTarget.run(runId), detail, outcome: 'ok' });
  return follow(clients, options, runId, queue);
};

const send = async (clients: { sqs: SQSClient; dynamodb: DynamoDBClient }, options: ReconcileOptions, queue: string, request: ReconcileRequest, now: () => Date) => {
  let queueUrl: string;
  try {
    queueUrl = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!;
  } catch (error) {
    if (isQueueMissing(error)) throw new OpsError(`No reconciler queue ${queue} in ${await clients.sqs.config.region()}: is stage "${options.stage}" deployed (or the local stack running)?`);
    throw explainAwsError(error, `find the reconciler queue ${queue}`);
  }
  try {
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(request) }));
  } catch (error) {
    throw explainAwsError(error, `send the reconciliation request to ${queue}`);
  }
  // Recorded at once, so `ops reconcile --run <id>` finds the run before its first slice ends.
  const runs = makeDynamoDbReconcileRunStore(clients.dynamodb, coordinationTableOf(options.stage));
  try {
    await runs.requested(request, now());
  } catch (error) {
    throw explainAwsError(error, `record the request in ${coordinationTableOf(options.stage)}`);
  }
};

const follow = async (clients: { dynamodb: DynamoDBClient }, options: ReconcileOptions, runId: string, queue: string): Promise<ReconcileOutcome> => {
  if (options.waitSeconds === 0) return { runId, queue, finished: false };
  const runs = makeDynamoDbReconcileRunStore(clients.dynamodb, coordinationTableOf(options.stage));

  const deadline = Date.now() + options.waitSeconds * 1000;
  let run: ReconcileRun | undefined;
  for (;;) {
    try {
      run = await runs.get(runId);
    } catch (error) {
      throw explainAwsError(error, `read the run record from ${coordinationTableOf(options.stage)}`);
    }
    if (run?.status === 'done') return { runId, queue, run, finished: true };
    if (Date.now() >= deadline) return { runId, queue, run, finished: false };
    await sleep(options.pollMs ?? 1000);
  }
};

/** Reads the record of an earlier run. */
export const reconciliationRun = async (dynamodb: DynamoDBClient, stage: string, runId: string): Promise<ReconcileRun> => {
  let run: ReconcileRun | undefined;
  try {
    run = await makeDynamoDbReconcileRunStore(dynamodb, coordinationTableOf(stage)).get(runId);
  } catch (error) {
    throw explainAwsError(error, `read the run record from ${coordinationTableOf(stage)}`);
  }
  if (!run) throw new OpsError(`No reconciliation run "${runId}" in stage "${stage}" (records are kept 14 days)`);
  return run;
};

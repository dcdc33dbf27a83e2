/**
 * `ops delayed`: one list of everything waiting past its bound (functions/core/delays.ts): orders not in
 * sync, refunds and replacements past their SLA, returns not received, workflows parked as exceptions,
 * ERP commands not done; each with where it waits, why, and the id `ops trace` takes.
 */
import {
  commandIsDelayed,
  DELAY_BOUNDS,
  describeSeconds,
  exceptionIsDelayed,
  orderIsDelayed,
  orderLag,
  pastSla,
  returnIsDelayed,
  secondsSince,
} from '../functions/core/delays';
import { makeDynamoDbWorkflowStore } from '../functions/adapters/workflow-store';
import { resourceNames } from '../lib/topology';
import type { OpsConnection } from './connection';
import { explainAwsError } from './errors';
import { UsageError } from './errors';
import type { WorkflowSummary } from '../functions/core/ports/workflow-tasks';
import { listOpenWorkflows, scanOrderSyncRecords, scanWaitingCommands, type OpenWorkflow } from './stage-stores';

export type DelayedKind = 'order' | 'refund' | 'return' | 'workflow' | 'erp-command';
export const DELAYED_KINDS: DelayedKind[] = ['order', 'refund', 'return', 'workflow', 'erp-command'];

export interface DelayedEntity {
  kind: DelayedKind;
  id: string;
  orderId?: string;
  caseId?: string;
  since: string;
  ageSeconds: number;
  /** The bound it is past, e.g. "sync within 5 min". */
  bound: string;
  /** Where it waits. */
  step: string;
  reason: string;
  /** Set where a store records them: a workflow once its eligibility was decided (see docs/operations.md). */
  region?: string;
  brand?: string;
  /** The id to pass to `traceJourney` (`ops trace`). */
  traceId: string;
}

export interface DelayedFilter {
  kinds?: DelayedKind[];
  minAgeSeconds?: number;
  region?: string;
  brand?: string;
}

export const parseKind = (value: string): DelayedKind => {
  if (!(DELAYED_KINDS as string[]).includes(value)) throw new UsageError(`--kind must be one of ${DELAYED_KINDS.join(', ')}; got "${value}"`);
  return value as DelayedKind;
};

const hoursBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 3_600_000);

/** The delayed entity a workflow is, if any: a parked exception first, else past its SLA, else a return not received. */
export const delayedWorkflow = ({ summary, parked }: OpenWorkflow, now: Date): DelayedEntity | undefined => {
  const common = {
    id: summary.workflowId,
    orderId: summary.orderId,
    caseId: summary.caseId,
    traceId: summary.orderId,
    ...(summary.region ? { region: summary.region } : {}),
    ...(summary.brand ? { brand: summary.brand } : {}),
  };
  const late = pastSla(summary, now);
  const slaNote = late ? `; past its ${summary.resolution ?? ''} SLA since ${summary.slaDueAt}` : '';
  if (summary.state === 'exception') {
    const since = parked?.parkedAt ?? summary.updatedAt;
    if (!exceptionIsDelayed(since, now)) return undefined;
    const exception = parked?.exception ?? summary.exception;
    return {
      ...common,
      kind: 'workflow',
      since,
      ageSeconds: secondsSince(since, now),
      bound: 'an exception waits for a person (retry or abandon)',
      step: exception?.step ?? summary.milestone,
      reason: `parked: ${exception ? `${exception.error}${exception.cause ? `: ${exception.cause}` : ''}` : 'exception'}${slaNote}`,
    };
  }
  if (late) {
    const kind: DelayedKind = summary.resolution === 'refund' ? 'refund' : 'workflow';
    return {
      ...common,
      kind,
      since: summary.startedAt,
      ageSeconds: secondsSince(summary.startedAt, now),
      bound: `${summary.resolution ?? 'resolution'} within ${hoursBetween(summary.startedAt, summary.slaDueAt!)} h (SLA, due ${summary.slaDueAt})`,
      step: summary.state === 'waiting-for-return' ? 'waiting for the return' : summary.milestone,
      reason: `${summary.state} at ${summary.milestone}, past its SLA since ${summary.slaDueAt}`,
    };
  }
  if (returnIsDelayed(summary, now)) {
    return {
      ...common,
      kind: 'return',
      since: summary.updatedAt,
      ageSeconds: secondsSince(summary.updatedAt, now),
      bound: `return received within ${describeSeconds(DELAY_BOUNDS.returnReceiptSeconds)}`,
      step: 'waiting for the return',
      reason: `the warehouse has not reported the return (${summary.erpDocuments.filter((document) => document.type === 'return-authorization').map((document) => document.reference).join(', ') || 'no return authorization recorded'})`,
    };
  }
  return undefined;
};

const matches = (entity: DelayedEntity, filter: DelayedFilter) =>
  (!filter.kinds?.length || filter.kinds.includes(entity.kind)) &&
  (filter.minAgeSeconds === undefined || entity.ageSeconds >= filter.minAgeSeconds) &&
  (filter.region === undefined || entity.region === filter.region) &&
  (filter.brand === undefined || entity.brand === filter.brand);

/**
 * Everything past its bound now, the longest waiting first.
 *
 * @example
 * const late = await listDelayed(conn, { kinds: ['workflow'], minAgeSeconds: 3600 });
 * late[0]; // { kind: 'workflow', id: 'rr-…', step: 'check-eligibility', reason: 'parked: Workflow.Permanent: …', traceId: 'SO-1001', … }
 */
export async function listDelayed(conn: OpsConnection, filter: DelayedFilter = {}, now: Date = new Date()): Promise<DelayedEntity[]> {
  const wants = (kind: DelayedKind) => !filter.kinds?.length || filter.kinds.includes(kind);
  const found: DelayedEntity[] = [];

  if (wants('order')) {
    for (const record of await scanOrderSyncRecords(conn)) {
      const lag = orderLag(record, now);
      if (!lag || !orderIsDelayed(lag)) continue;
      found.push({
        kind: 'order',
        id: lag.orderId,
        orderId: lag.orderId,
        ...(record.serviceDesk?.caseIds.length ? { caseId: record.serviceDesk.caseIds[0] } : {}),
        since: lag.since,
        ageSeconds: lag.ageSeconds,
        bound: `sync within ${describeSeconds(DELAY_BOUNDS.orderSyncSeconds)}`,
        step: lag.step,
        reason: lag.reason,
        traceId: lag.orderId,
      });
    }
  }

  const workflows = wants('refund') || wants('return') || wants('workflow') || wants('erp-command') ? await listOpenWorkflows(conn) : [];
  for (const workflow of workflows) {
    const entity = delayedWorkflow(workflow, now);
    if (entity) found.push(entity);
  }

  if (wants('erp-command')) {
    const store = makeDynamoDbWorkflowStore(conn.dynamodb, resourceNames(conn.stage).table('workflows'));
    for (const { commandId, command } of await scanWaitingCommands(conn)) {
      if (!commandIsDelayed(command, now)) continue;
      // A workflow's commands are named `<workflowId>.<step>`; its workflow may have ended since.
      const workflowId = commandId.slice(0, Math.max(0, commandId.lastIndexOf('.')));
      let owner: WorkflowSummary | undefined = workflows.find(({ summary }) => summary.workflowId === workflowId)?.summary;
      if (!owner && workflowId) {
        try {
          owner = (await store.get(workflowId))?.summary;
        } catch (error) {
          throw explainAwsError(error, `read workflow ${workflowId}`);
        }
      }
      found.push({
        kind: 'erp-command',
        id: commandId,
        ...(owner ? { orderId: owner.orderId, caseId: owner.caseId } : {}),
        since: command.lastStartedAt!,
        ageSeconds: secondsSince(command.lastStartedAt!, now),
        bound: `ERP command done within ${describeSeconds(DELAY_BOUNDS.erpCommandSeconds)}`,
        step: 'ERP command',
        reason: `started, not done; ${command.attempts} failed attempt(s)`,
        traceId: owner?.orderId ?? commandId,
      });
    }
  }

  return found.filter((entity) => matches(entity, filter)).sort((a, b) => b.ageSeconds - a.ageSeconds || a.id.localeCompare(b.id));
}

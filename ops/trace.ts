/**
 * `ops trace`: one order's or one delivery's journey across the stack, from the stores the product keeps:
 * the delivery ledger, the read models, the sync state, the ERP command ledger, the workflow table and the
 * DLQs (peeked, never consumed). The EventBridge archive cannot be read by id, so it is not consulted.
 * Gathering only: the CLI (and later a console) formats the typed trace.
 */
import { scanOrderSyncRecords } from './stage-stores';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { makeDynamoDbDeliveryLedgerReader } from '../functions/adapters/delivery-ledger';
import { makeDynamoDbCommandLedger } from '../functions/adapters/erp-coordination-store';
import { makeDynamoDbReadModelStore } from '../functions/adapters/read-model-store';
import { makeDynamoDbSyncStateStore } from '../functions/adapters/sync-state-store';
import { makeDynamoDbWorkflowStore } from '../functions/adapters/workflow-store';
import { WorkflowState } from '../functions/core/canonical/workflow';
import { WEBHOOK_SOURCES } from '../functions/core/connectors/registry';
import type { CommandRecord } from '../functions/core/ports/command-ledger';
import type { DeliveryRecord } from '../functions/core/ports/delivery-ledger';
import type { WorkflowSummary } from '../functions/core/ports/workflow-tasks';
import type { TimelineEntry } from '../functions/core/read-models';
import { toOrderSyncView, type OrderSyncRecord } from '../functions/core/sync-state';
import { QUEUES, resourceNames, type QueueSpec } from '../lib/topology';
import { readDefinition } from '../lib/workflows';
import { idsInBody, peekDlq, queueUrlOf, type DlqMessage, type ScanOptions } from './dlq';
import { auditTarget, readAudit, type AuditLine } from './audit';
import { explainAwsError, UsageError } from './errors';

/** ok: done; pending: not (yet) happened; failed: stopped here until someone acts. */
export type StepStatus = 'ok' | 'pending' | 'failed';

export interface TraceStep {
  /** ISO-8601; absent for what has not happened (such steps sort last). */
  at?: string;
  step: string;
  system: string;
  outcome: string;
  status: StepStatus;
  detail: string;
  orderId?: string;
  /** On a dead-lettered step: the DLQ message's id (a redrive of just that message filters on it). */
  messageId?: string;
}

export interface TracedDelivery {
  key: string;
  status: DeliveryRecord['status'];
  source?: string;
  deliveryId?: string;
  receivedAt?: string;
  eventIds: string[];
  orderIds: string[];
  /** False when the ledger's record predates it naming the delivery's orders. */
  ordersRecorded: boolean;
}

export interface Trace {
  id: string;
  /**
   * How the id was read: an order's id, a delivery (correlation) id, a canonical event id, a workflow's
   * id (its order's journey), or a case's id (the journeys of the orders whose sync state links it).
   */
  kind: 'order' | 'delivery' | 'event' | 'workflow' | 'case';
  orderIds: string[];
  deliveries: TracedDelivery[];
  /** Oldest first; steps without a time last. */
  steps: TraceStep[];
  /** Index in `steps` of the first failed step, else of the first pending one. */
  stuckAt?: number;
  verdict: string;
  /** What the trace could not see (a partial DLQ scan, a ledger record without orders…). */
  notes: string[];
  /** What operators did to these orders, their workflows and deliveries (redrive, purge, retry, abandon…), oldest first; also in `steps`. */
  audit: AuditLine[];
}

export interface TraceClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
}

export interface TraceOptions extends ScanOptions {
  stage: string;
  /** Messages read per DLQ at most (default 1000). */
  maxDlqMessages?: number;
}

/** The id does not name an order, delivery, event, workflow or case any store of the stage knows: exit code 2. */
export class UnknownTraceIdError extends UsageError {
  override name = 'UnknownTraceIdError';
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

const tracedDelivery = (key: string, record: DeliveryRecord): TracedDelivery => {
  const result = record.result ?? {};
  const text = (name: string) => (typeof result[name] === 'string' ? (result[name] as string) : undefined);
  return {
    key,
    status: record.status,
    ...(text('source') ? { source: text('source') } : {}),
    deliveryId: text('deliveryId') ?? key.slice(key.indexOf('#') + 1),
    ...(text('receivedAt') ? { receivedAt: text('receivedAt') } : {}),
    eventIds: stringList(result.eventIds),
    orderIds: stringList(result.orderIds),
    ordersRecorded: Array.isArray(result.orderIds),
  };
};

interface DeadLettered {
  spec: QueueSpec;
  message: DlqMessage;
  orderIds: Set<string>;
  eventIds: Set<string>;
}

/** Command ids a workflow's definition gives its ERP writes (`States.Format('{}.<step>', $.workflowId)`). */
const erpCommandSteps = (() => {
  let steps: string[] | undefined;
  return () => (steps ??= [...readDefinition('refundOrReplacement').matchAll(/"commandId\.\$":\s*"States\.Format\('\{\}\.([\w-]+)',\s*\$\.workflowId\)"/g)].map((match) => match[1]!));
})();

/** Chronological, what has not happened last; the first failure (else the first pending step) is where it is stuck. */
export const orderSteps = (steps: TraceStep[]): { steps: TraceStep[]; stuckAt?: number } => {
  const ordered = steps
    .map((step, index) => ({ step, index }))
    .sort((a, b) => (a.step.at ?? '\uffff').localeCompare(b.step.at ?? '\uffff') || a.index - b.index)
    .map(({ step }) => step);
  const failed = ordered.findIndex((step) => step.status === 'failed');
  const pending = ordered.findIndex((step) => step.status === 'pending');
  const stuckAt = failed >= 0 ? failed : pending >= 0 ? pending : undefined;
  return { steps: ordered, ...(stuckAt !== undefined ? { stuckAt } : {}) };
};

/**
 * Finds what the id names and gathers the journey of every order it concerns.
 *
 * @example
 * const trace = await traceJourney({ dynamodb, sqs }, 'msg_2K1…', { stage: 'prod' });
 * trace.steps[trace.stuckAt!]; // { step: 'dead-lettered', system: 'service-desk-updater-dlq', status: 'failed', … }
 */
export const traceJourney = async (clients: TraceClients, id: string, options: TraceOptions): Promise<Trace> => {
  const names = resourceNames(options.stage);
  const read = async <T>(what: string, operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw explainAwsError(error, what);
    }
  };
  const ledger = makeDynamoDbDeliveryLedgerReader(clients.dynamodb, names.table('idempotency'), { keyPrefix: names.function('webhookIngest') });
  const syncState = makeDynamoDbSyncStateStore(clients.dynamodb, names.table('syncState'));
  const readModels = makeDynamoDbReadModelStore(clients.dynamodb, names.table('readModels'));
  const workflows = makeDynamoDbWorkflowStore(clients.dynamodb, names.table('workflows'));
  const commands = makeDynamoDbCommandLedger(clients.dynamodb, names.table('coordination'));
  const notes: string[] = [];

  // The DLQs first: they hold the failures, and a delivery the ledger has forgotten (after 7 days) is still named there.
  const deadLettered: DeadLettered[] = [];
  for (const spec of QUEUES) {
    const name = names.deadLetterQueue(spec);
    const url = await queueUrlOf(clients.sqs, name);
    if (!url) continue;
    const max = options.maxDlqMessages ?? 1000;
    const messages = await peekDlq(clients.sqs, { url }, { ...options, max });
    if (messages.length >= max) notes.push(`${name}: only the first ${max} messages were read`);
    for (const message of messages) {
      deadLettered.push({ spec, message, orderIds: idsInBody(message.body, ['orderId']), eventIds: idsInBody(message.body, ['eventId']) });
    }
  }

  // What the id names: a delivery (by correlation id), an event, else an order.
  const deliveries = new Map<string, TracedDelivery>();
  const remember = (key: string, record: DeliveryRecord) => deliveries.set(key, tracedDelivery(key, record));
  let kind: Trace['kind'] = 'order';
  for (const source of WEBHOOK_SOURCES) {
    const key = `${source}#${id}`;
    const record = await read(`read the delivery ledger ${names.table('idempotency')}`, () => ledger.find(key));
    if (record) {
      remember(key, record);
      kind = 'delivery';
    }
  }
  if (kind === 'order' && deadLettered.some(({ message }) => message.correlationId === id)) kind = 'delivery';
  if (kind === 'order' && /^evt_/.test(id)) {
    kind = 'event';
    for (const record of await read(`scan the delivery ledger ${names.table('idempotency')}`, () => ledger.findByResult('eventIds', id))) {
      const delivery = tracedDelivery(`${record.result?.source ?? '?'}#${record.result?.deliveryId ?? id}`, record);
      deliveries.set(delivery.key, delivery);
    }
  }

  const orderIds = new Set<string>();
  if (kind === 'order') {
    // A workflow's id names its order; an id no order has may be a case's, linked by the orders' sync state (a scan).
    const workflow = await read(`read the workflow ${id} in ${names.table('workflows')}`, () => workflows.get(id));
    if (workflow) {
      kind = 'workflow';
      orderIds.add(workflow.summary.orderId);
    } else if (!(await read(`read the sync state ${names.table('syncState')}`, () => syncState.getOrder(id)))) {
      const linked = (await scanOrderSyncRecords({ dynamodb: clients.dynamodb, stage: options.stage })).filter((record) => record.serviceDesk?.caseIds.includes(id));
      if (linked.length > 0) {
        kind = 'case';
        linked.forEach((record) => orderIds.add(record.orderId));
      }
    }
  }
  const byOrder = kind === 'order' || kind === 'workflow' || kind === 'case';
  if (kind === 'order') orderIds.add(id);
  else if (!byOrder) {
    for (const delivery of deliveries.values()) delivery.orderIds.forEach((orderId) => orderIds.add(orderId));
    for (const { message, orderIds: named, eventIds } of deadLettered) {
      if (message.correlationId === id || eventIds.has(id)) named.forEach((orderId) => orderIds.add(orderId));
    }
    for (const delivery of deliveries.values()) {
      if (delivery.status === 'accepted' && !delivery.ordersRecorded) {
        notes.push(`delivery ${delivery.deliveryId}: its ledger record predates order ids; trace the order by its id`);
      }
    }
  }

  const steps: TraceStep[] = [];
  const verdicts: string[] = [];
  const auditTargets: string[] = [...orderIds].map(auditTarget.order);
  if (!byOrder) auditTargets.push(auditTarget.delivery(id));
  let foundAnything = deliveries.size > 0;

  for (const orderId of orderIds) {
    // Every delivery of the order the ledger remembers (a scan), beside the one asked about.
    if (byOrder) {
      for (const record of await read(`scan the delivery ledger ${names.table('idempotency')}`, () => ledger.findByResult('orderIds', orderId))) {
        const delivery = tracedDelivery(`${record.result?.source ?? '?'}#${record.result?.deliveryId ?? '?'}`, record);
        deliveries.set(delivery.key, delivery);
      }
    }

    const record = await read(`read the sync state ${names.table('syncState')}`, () => syncState.getOrder(orderId));
    const timeline = await read(`read the read models ${names.table('readModels')}`, () => timelineOf(readModels, orderId));
    const orderWorkflows = await read(`list the workflows in ${names.table('workflows')}`, () => workflowsOf(workflows, orderId));
    const orderDeadLetters = deadLettered.filter((entry) => entry.orderIds.has(orderId));
    if (record || timeline.length || orderWorkflows.length || orderDeadLetters.length) foundAnything = true;

    for (const entry of timeline) {
      steps.push({ at: entry.occurredAt, step: 'read model', system: 'read-models', outcome: `projected ${entry.type}`, status: 'ok', detail: `${entry.summary} (${entry.eventId})`, orderId });
    }
    steps.push(...syncStateSteps(orderId, record));

    let waitingCommand: string | undefined;
    let parked: string | undefined;
    for (const { summary, history, parkedException } of orderWorkflows) {
      auditTargets.push(auditTarget.workflow(summary.workflowId));
      for (const entry of history) {
        const failed = entry.state === 'exception';
        steps.push({
          at: entry.at,
          step: `workflow ${entry.milestone}`,
          system: 'step-functions',
          outcome: entry.state,
          status: failed && summary.state === 'exception' ? 'failed' : 'ok',
          detail: `${summary.workflowId} (${entry.actor}): ${entry.cause}${entry.erpDocument ? ` [${entry.erpDocument.type} ${entry.erpDocument.reference}]` : ''}`,
          orderId,
        });
      }
      if (summary.state === 'exception') parked ??= `workflow ${summary.workflowId} parked: ${parkedException ? `"${parkedException.step}" failed (${parkedException.error})` : summary.milestone}`;
      for (const step of erpCommandSteps()) {
        const commandId = `${summary.workflowId}.${step}`;
        const command = await read(`read the command ledger ${names.table('coordination')}`, () => commands.get(commandId));
        if (!command) continue;
        steps.push(commandStep(commandId, command, orderId));
        if (command.status !== 'done') waitingCommand ??= commandId;
      }
    }

    for (const { spec, message } of orderDeadLetters) {
      steps.push({
        at: message.lastFailureAt ?? message.sentAt,
        step: 'dead-lettered',
        system: `${spec.name}-dlq`,
        outcome: message.errorClass,
        status: 'failed',
        detail: `${message.summary}${message.errorMessage ? `: ${message.errorMessage}` : ''} (attempts ${message.attempts ?? '-'}; retail-sync ops dlq peek ${spec.name})`,
        orderId,
        messageId: message.messageId,
      });
    }

    const firstDeadLetter = orderDeadLetters[0];
    const view = record ? toOrderSyncView(record) : undefined;
    verdicts.push(
      `${orderIds.size > 1 ? `${orderId}: ` : ''}` +
        (firstDeadLetter
          ? `dead-lettered in ${firstDeadLetter.spec.name}-dlq: ${firstDeadLetter.message.errorMessage ?? firstDeadLetter.message.errorClass}`
          : parked
            ? parked
            : waitingCommand
              ? `waiting on ERP command ${waitingCommand}`
              : !view
                ? 'no sync state: no order.status.changed has been recorded for this order'
                : view.inSync
                  ? `in sync (${view.erp!.status} v${view.erp!.version})`
                  : !view.erp
                    ? 'waiting on the ERP: the service desk shows a status the sync state has no ERP record of'
                    : view.serviceDesk && !view.serviceDesk.verified && view.serviceDesk.version === view.erp.version && view.serviceDesk.status === view.erp.status
                      ? `written to the service desk but not verified (the case the desk returned did not show v${view.erp.version} ${view.erp.status}): the next reconciliation repairs or verifies it`
                      : `waiting on the service-desk update (ERP v${view.erp.version} ${view.erp.status}, desk ${view.serviceDesk ? `v${view.serviceDesk.version} ${view.serviceDesk.status}` : 'not updated'})`),
    );
  }

  for (const delivery of deliveries.values()) {
    steps.push({
      ...(delivery.receivedAt ? { at: delivery.receivedAt } : {}),
      step: 'ingest',
      system: delivery.source ?? 'webhook',
      outcome: delivery.status === 'accepted' ? 'accepted' : 'in progress',
      status: delivery.status === 'accepted' ? 'ok' : 'pending',
      detail: `delivery ${delivery.deliveryId}: ${delivery.eventIds.length} event(s) published to the bus${delivery.orderIds.length ? ` for ${delivery.orderIds.join(', ')}` : ''}`,
      ...(delivery.orderIds.length === 1 ? { orderId: delivery.orderIds[0] } : {}),
    });
  }
  // A dead-lettered message of the delivery that names no order (a malformed command) is still part of its journey.
  if (!byOrder) {
    for (const { spec, message, orderIds: named, eventIds } of deadLettered) {
      if (named.size > 0 || (message.correlationId !== id && !eventIds.has(id))) continue;
      foundAnything = true;
      steps.push({ at: message.lastFailureAt ?? message.sentAt, step: 'dead-lettered', system: `${spec.name}-dlq`, outcome: message.errorClass, status: 'failed', detail: `${message.summary}${message.errorMessage ? `: ${message.errorMessage}` : ''}`, messageId: message.messageId });
      verdicts.unshift(`dead-lettered in ${spec.name}-dlq: ${message.errorMessage ?? message.errorClass}`);
    }
  }

  for (const delivery of deliveries.values()) if (delivery.deliveryId) auditTargets.push(auditTarget.delivery(delivery.deliveryId));
  const audit = await readAudit({ dynamodb: clients.dynamodb, stage: options.stage }, auditTargets);
  if (audit.length > 0) foundAnything = true;
  for (const line of audit) {
    const orderId = line.target.startsWith('order:') ? line.target.slice('order:'.length) : undefined;
    steps.push({
      at: line.at,
      step: `ops: ${line.action}`,
      system: 'ops',
      outcome: `${line.outcome === 'ok' ? 'done' : 'failed'} by ${line.who}`,
      // What a person did is never where the journey is stuck: the step it acted on says that.
      status: 'ok',
      detail: `${line.target}${line.detail ? ` ${JSON.stringify(line.detail)}` : ''}`,
      ...(orderId && orderIds.size > 1 ? { orderId } : {}),
    });
  }

  if (!foundAnything) {
    throw new UnknownTraceIdError(
      `"${id}" is no order, delivery (correlation) id, event id, workflow id or case id any store of stage "${options.stage}" knows: not in the delivery ledger (kept 7 days), the sync state, the read models, the workflows or the DLQs`,
    );
  }
  if (orderIds.size === 0) verdicts.push(deliveries.size ? 'accepted; the delivery names no order' : 'no order found');
  const ordered = orderSteps(steps);
  return { id, kind, orderIds: [...orderIds], deliveries: [...deliveries.values()], ...ordered, verdict: verdicts.join('; '), notes, audit };
};

const syncStateSteps = (orderId: string, record: OrderSyncRecord | undefined): TraceStep[] => {
  if (!record) return [];
  const steps: TraceStep[] = [];
  if (record.erp) {
    steps.push({ at: record.erp.updatedAt, step: 'sync state: ERP side', system: 'sync-state', outcome: `recorded v${record.erp.version} ${record.erp.status}`, status: 'ok', detail: `from ${record.erp.eventId}, changed in the ERP at ${record.erp.occurredAt}`, orderId });
  }
  if (record.serviceDesk) {
    const behind = record.erp !== undefined && record.serviceDesk.version < record.erp.version;
    steps.push({
      at: record.serviceDesk.updatedAt,
      step: 'sync state: service-desk side',
      system: 'service-desk',
      outcome: `${record.serviceDesk.verified ? 'shows' : 'written, not verified:'} v${record.serviceDesk.version} ${record.serviceDesk.status}`,
      status: record.serviceDesk.verified ? 'ok' : 'pending',
      detail:
        `case(s) ${record.serviceDesk.caseIds.join(', ') || '-'}${behind ? ' (behind the ERP)' : ''}` +
        (record.serviceDesk.verified ? '' : `; last verified ${record.serviceDesk.verifiedAt ?? 'never'}`),
      orderId,
    });
  }
  const view = toOrderSyncView(record);
  steps.push({
    step: 'in sync',
    system: 'sync-state',
    outcome: view.inSync ? 'yes' : 'no',
    status: view.inSync ? 'ok' : 'pending',
    detail: view.inSync
      ? `the service desk shows the ERP's v${view.erp!.version}`
      : `ERP ${view.erp ? `v${view.erp.version} ${view.erp.status}` : 'not recorded'}, service desk ${view.serviceDesk ? `v${view.serviceDesk.version} ${view.serviceDesk.status}${view.serviceDesk.verified ? '' : ' (not verified)'}` : 'not updated'}`,
    orderId,
  });
  return steps;
};

const commandStep = (commandId: string, command: CommandRecord, orderId: string): TraceStep => {
  const done = command.status === 'done';
  const at = done ? (command.doneAt ?? command.lastStartedAt) : command.lastStartedAt;
  return {
    ...(at ? { at } : {}),
    step: 'ERP command',
    system: 'erp',
    outcome: done ? `done ${command.erpReference ?? ''}`.trim() : `started, ${command.attempts} failed attempt(s)`,
    status: done ? 'ok' : 'pending',
    detail: commandId,
    orderId,
  };
};

/** The order's entries on its customer's timeline, and those parked until the customer is known. */
const timelineOf = async (store: ReturnType<typeof makeDynamoDbReadModelStore>, orderId: string): Promise<TimelineEntry[]> => {
  const entries = (await store.parkedTimelineEntries(orderId)).map(({ entry }) => entry);
  const customer = await store.orderCustomer(orderId);
  if (customer) {
    let cursor: string | undefined;
    do {
      const page = await store.timeline(customer, 200, cursor);
      entries.push(...page.entries.filter((entry) => entry.orderId === orderId));
      cursor = page.nextCursor;
    } while (cursor);
  }
  return entries;
};

/** The order's workflows: the table has no index by order, so every state's listing is read (summaries only). */
const workflowsOf = async (store: ReturnType<typeof makeDynamoDbWorkflowStore>, orderId: string) => {
  const found: WorkflowSummary[] = [];
  for (const state of WorkflowState.options) {
    let cursor: string | undefined;
    do {
      const page = await store.listByState(state, 100, cursor);
      found.push(...page.workflows.filter((workflow) => workflow.orderId === orderId));
      cursor = page.nextCursor;
    } while (cursor);
  }
  const detailed = [];
  for (const summary of found) {
    const workflow = await store.get(summary.workflowId);
    const parked = await store.parked(summary.workflowId);
    if (workflow) detailed.push({ summary: workflow.summary, history: workflow.history, parkedException: parked?.exception });
  }
  return detailed;
};

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import * as z from '../core/zod';
import { makeBusinessCentralResolutionReads } from '../adapters/erp-business-central-resolution';
import { makeEventBridgePublisher } from '../adapters/event-publisher';
import { makeZendeskCaseMilestones, makeZendeskServiceDesk } from '../adapters/service-desk-zendesk';
import { makeStepFunctionsCallbacks } from '../adapters/step-functions-callbacks';
import { makeStepFunctionsWorkflowStarter } from '../adapters/workflow-starter';
import { makeDynamoDbWorkflowStore } from '../adapters/workflow-store';
import { CanonicalEvents, eventBridgeEnvelope } from '../core/canonical/events';
import { correlationIdOfMessage, parseJson, validated } from '../core/canonical/parse';
import { makeErpGate } from '../core/erp/gate';
import { systemClock } from '../core/ports/clock';
import type { ThroughErpGate } from '../core/ports/erp';
import type { ErpCoordination } from '../core/ports/erp-coordination';
import type { OrderCases } from '../core/ports/service-desk';
import type { ErpResolutionReads, WorkflowStarter, WorkflowStore, WorkflowWaits } from '../core/ports/workflow-tasks';
import { makeCaseResolutions, makeOrderExceptions } from '../core/workflows/order-exceptions';
import { ResolutionPolicy } from '../core/workflows/resolution-policy';
import { makeReturnReceipts } from '../core/workflows/return-receipts';
import { makeSlaCheck } from '../core/workflows/sla-check';
import { makeWorkflowSteps, WorkflowStepMessage, type WorkflowStepsDependencies } from '../core/workflows/workflow-steps';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, jsonEnv, requiredEnv, stateMachineArnsFrom, type Environment } from '../shared/environment';
import { ERP_GATE_METRICS, erpConnectionFrom, erpCoordinationFrom } from '../shared/erp';
import { serviceDeskConnectionFrom } from '../shared/service-desk';
import type { Observability } from '../shared/lambda';
import { consumedQueueFrom, queueConsumerHandler, type ConsumedQueue } from '../shared/queue-consumer';

export interface WorkflowStepsHandlerDependencies extends Omit<WorkflowStepsDependencies, 'waits' | 'store' | 'erp'> {
  observability: Observability;
  queue: ConsumedQueue;
  /** The ERP's rate budget and breaker: the workflow's ERP reads pass the same gate as every ERP call. */
  coordination: ErpCoordination;
  /** The workflow's ERP reads, built around the handler's ERP gate: each request they send books its own slot. */
  erp: ThroughErpGate<ErpResolutionReads>;
  store: Pick<WorkflowStore, 'recordTransition' | 'listByState' | 'markSlaBreached'> & WorkflowWaits;
  /** Opens an order's case for a delivery exception. */
  cases: OrderCases;
  /** Starts the resolutions that order exceptions and service-desk triggers ask for. */
  starter: WorkflowStarter;
}

const ReturnReceivedMessage = eventBridgeEnvelope(CanonicalEvents['return.received']);
const ShipmentExceptionMessage = eventBridgeEnvelope(CanonicalEvents['shipment.exception']);
const ResolutionRequestedMessage = eventBridgeEnvelope(CanonicalEvents['case.resolution.requested']);

/** A message of the workflow-steps queue is a step a state machine sent (`step`) or an event from the bus (`detail-type`). */
const isBusEvent = (body: unknown): body is { 'detail-type': string } => typeof body === 'object' && body !== null && 'detail-type' in body;

/** A step message carries the request, whose correlation id started with the API call. */
const correlationIdOfStep = (body: string): string | undefined => {
  try {
    const message = JSON.parse(body);
    const id = message?.request?.correlationId ?? message?.workflow?.request?.correlationId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The workflow-steps queue's Lambda handler: runs the workflows' own steps and answers their task
 * tokens, and completes the steps that wait for an event (`return.received`).
 */
export const makeHandler = ({ observability, queue, coordination, erp, store, cases, starter, ...dependencies }: WorkflowStepsHandlerDependencies) => {
  const { logger, metrics } = observability;
  const gate = makeErpGate({ coordination, priority: 'customer', ready: async () => reads.ready?.(), observe: (signal) => metrics.addMetric(ERP_GATE_METRICS[signal], MetricUnit.Count, 1) });
  const reads = erp(gate);
  const runStep = makeWorkflowSteps({
    ...dependencies,
    erp: reads,
    store,
    waits: store,
    observe: (kpi, seconds) => metrics.addMetric(kpi, MetricUnit.Seconds, seconds),
  });
  const receiveReturn = makeReturnReceipts({ waits: store, callbacks: dependencies.callbacks });
  const checkSlas = makeSlaCheck({ store, publisher: dependencies.publisher, clock: dependencies.clock });
  const handleOrderException = makeOrderExceptions({ erp: reads, cases, milestones: dependencies.milestones, starter, policies: dependencies.policies });
  const startCaseResolution = makeCaseResolutions({ starter });

  const handle = async (record: SQSRecord) => {
    const body = parseJson(record.body, 'The message');
    if (isBusEvent(body)) {
      // The SLA check's tick: EventBridge's own scheduled event, not a canonical one.
      if (body['detail-type'] === 'Scheduled Event' && (body as { source?: unknown }).source === 'aws.events') {
        const result = await checkSlas();
        metrics.addMetric('WorkflowSlaBreached', MetricUnit.Count, result.newlyBreached.length);
        // One metric per open state (a fixed set), so the dashboard can show exceptions waiting for a person.
        for (const [state, count] of Object.entries(result.open)) {
          const single = metrics.singleMetric();
          single.addDimension('state', state);
          single.addMetric('WorkflowsOpen', MetricUnit.Count, count);
        }
        logger.info('workflow SLAs checked', { ...result });
        return;
      }
      if (body['detail-type'] === 'return.received') {
        const { detail } = validated(ReturnReceivedMessage, body, { problem: 'Invalid return.received event' });
        const result = await receiveReturn(detail);
        logger.info('return received', { returnId: detail.data.returnId, ...result });
        return;
      }
      if (body['detail-type'] === 'shipment.exception') {
        const { detail } = validated(ShipmentExceptionMessage, body, { problem: 'Invalid shipment.exception event' });
        const outcome = await handleOrderException(detail);
        metrics.addMetric('OrderExceptionHandled', MetricUnit.Count, 1);
        logger.info('order exception handled', { orderId: detail.data.orderId, shipmentId: detail.data.shipmentId, ...outcome });
        return;
      }
      if (body['detail-type'] === 'case.resolution.requested') {
        const { detail } = validated(ResolutionRequestedMessage, body, { problem: 'Invalid case.resolution.requested event' });
        const outcome = await startCaseResolution(detail);
        logger.info('resolution requested from the service desk', { caseId: detail.data.caseId, ...outcome });
        return;
      }
      logger.warn('event ignored: no workflow handles its type', { detailType: body['detail-type'] });
      return;
    }
    const message = validated(WorkflowStepMessage, body, { problem: 'Invalid workflow step message' });
    await runStep(message);
    metrics.addMetric('WorkflowStepRun', MetricUnit.Count, 1);
    logger.info('workflow step run', { step: message.step, workflowId: 'workflow' in message ? message.workflow.workflowId : message.workflowId });
  };
  return queueConsumerHandler(observability, queue, handle, (record) => correlationIdOfMessage(record.body) ?? correlationIdOfStep(record.body));
};

/** The handler's dependencies: AWS adapters, the ERP, the service desk and the policies named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): WorkflowStepsHandlerDependencies => {
  const aws = makeAwsClients(observability.tracer);
  const desk = serviceDeskConnectionFrom(environment, aws);
  return {
    observability,
    queue: consumedQueueFrom(environment, aws),
    coordination: erpCoordinationFrom(environment, aws),
    erp: (gate) => makeBusinessCentralResolutionReads({ ...erpConnectionFrom(environment, aws), gate }),
    callbacks: makeStepFunctionsCallbacks(aws.stepFunctions()),
    milestones: makeZendeskCaseMilestones(desk),
    publisher: makeEventBridgePublisher(aws.eventBridge(), requiredEnv(ENV.eventBusName, environment)),
    cases: makeZendeskServiceDesk(desk),
    starter: makeStepFunctionsWorkflowStarter(aws.stepFunctions(), stateMachineArnsFrom(environment)),
    store: makeDynamoDbWorkflowStore(aws.dynamodb(), requiredEnv(ENV.workflowTable, environment)),
    policies: validated(z.array(ResolutionPolicy).check(z.minLength(1)), jsonEnv<unknown>(ENV.resolutionPolicies, [], environment), { problem: `${ENV.resolutionPolicies} holds no valid policies` }),
    clock: systemClock,
  };
};

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeBusinessCentralErp } from '../adapters/erp-business-central';
import { makeDynamoDbCommandLedger } from '../adapters/erp-coordination-store';
import { makeStepFunctionsCallbacks } from '../adapters/step-functions-callbacks';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, numberEnv, requiredEnv, type Environment } from '../shared/environment';
import { ERP_GATE_METRICS, erpConnectionFrom, erpCoordinationFrom } from '../shared/erp';
import type { Observability } from '../shared/lambda';
import { consumedQueueFrom, queueConsumerHandler, type ConsumedQueue } from '../shared/queue-consumer';
import { makeErpDispatch, parseErpCommandOrFailWaiting, type DispatchDependencies } from './dispatch';

export interface ErpDispatcherHandlerDependencies extends Omit<DispatchDependencies, 'observe'> {
  observability: Observability;
  queue: ConsumedQueue;
}

/** The erp-commands queue's Lambda handler, from its dependencies. */
export const makeHandler = ({ observability, queue, ...dependencies }: ErpDispatcherHandlerDependencies) => {
  const { logger, metrics } = observability;
  const dispatch = makeErpDispatch({ ...dependencies, observe: (signal) => metrics.addMetric(ERP_GATE_METRICS[signal], MetricUnit.Count, 1) });
  return queueConsumerHandler(
    observability,
    queue,
    async (record) => {
      const command = await parseErpCommandOrFailWaiting(record.body, dependencies.callbacks);
      if (!command) {
        metrics.addMetric('ErpCommandFailedToWorkflow', MetricUnit.Count, 1);
        logger.warn('invalid erp command; the waiting workflow was told', { messageId: record.messageId });
        return;
      }
      const started = Date.now();
      const result = await dispatch(command);
      metrics.addMetric('ErpCommandLatency', MetricUnit.Milliseconds, Date.now() - Number(record.attributes.SentTimestamp));
      metrics.addMetric('ErpCallsPerCommand', MetricUnit.Count, result.erpCalls);
      const summary = { commandId: command.commandId, type: command.type, orderId: command.orderId, ...result, tookMs: Date.now() - started };
      if (result.outcome === 'failed') {
        metrics.addMetric('ErpCommandFailedToWorkflow', MetricUnit.Count, 1);
        logger.warn('erp command failed; the waiting workflow was told', summary);
      } else logger.info('erp command executed', summary);
    },
    (record) => {
      try {
        return JSON.parse(record.body)?.correlationId;
      } catch {
        return undefined;
      }
    },
  );
};

/** The handler's dependencies: the ERP adapter and the shared coordination named by the function's environment. */
export const dependenciesFrom = (environment: Environment, observability: Observability): ErpDispatcherHandlerDependencies => {
  const aws = makeAwsClients(observability.tracer);
  return {
    observability,
    queue: consumedQueueFrom(environment, aws),
    erp: (gate) => makeBusinessCentralErp({ ...erpConnectionFrom(environment, aws), gate }),
    coordination: erpCoordinationFrom(environment, aws),
    ledger: makeDynamoDbCommandLedger(aws.dynamodb(), requiredEnv(ENV.coordinationTable, environment)),
    callbacks: makeStepFunctionsCallbacks(aws.stepFunctions()),
    maxAttempts: numberEnv(ENV.erpMaxAttempts, 8, environment),
  };
};

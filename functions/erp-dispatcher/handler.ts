import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeDynamoDbCommandLedger } from '../adapters/erp-coordination-store';
import { makeBusinessCentralErp } from '../adapters/erp-business-central';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, numberEnv, requiredEnv } from '../shared/environment';
import { ERP_GATE_METRICS, erpCoordinationFromEnvironment } from '../shared/erp';
import { makeObservability } from '../shared/lambda';
import { queueConsumerHandler } from '../shared/queue-consumer';
import { makeErpDispatch, parseErpCommand } from './dispatch';

const observability = makeObservability();
const { logger, metrics } = observability;
const aws = makeAwsClients(observability.tracer);
const dispatch = makeErpDispatch({
  erp: makeBusinessCentralErp({ baseUrl: requiredEnv(ENV.erpBaseUrl) }),
  coordination: erpCoordinationFromEnvironment(aws),
  ledger: makeDynamoDbCommandLedger(aws.dynamodb(), requiredEnv(ENV.coordinationTable)),
  maxAttempts: numberEnv(ENV.erpMaxAttempts, 8),
  observe: (signal) => metrics.addMetric(ERP_GATE_METRICS[signal], MetricUnit.Count, 1),
});

export const handler = queueConsumerHandler(
  observability,
  aws,
  async (record) => {
    const command = parseErpCommand(record.body);
    const started = Date.now();
    const result = await dispatch(command);
    metrics.addMetric('ErpCommandLatency', MetricUnit.Milliseconds, Date.now() - Number(record.attributes.SentTimestamp));
    metrics.addMetric('ErpCallsPerCommand', MetricUnit.Count, result.erpCalls);
    logger.info('erp command executed', { commandId: command.commandId, type: command.type, orderId: command.orderId, ...result, tookMs: Date.now() - started });
  },
  (record) => {
    try {
      return JSON.parse(record.body)?.correlationId;
    } catch {
      return undefined;
    }
  },
);

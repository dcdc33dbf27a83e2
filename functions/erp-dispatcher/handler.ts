import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeDynamoDbCommandLedger, makeDynamoDbErpCoordination } from '../adapters/erp-coordination-store';
import { makeBusinessCentralErp } from '../adapters/erp-business-central';
import { DEFAULT_BREAKER_CONFIG } from '../core/erp/circuit-breaker';
import { defaultRateBudgetConfig } from '../core/erp/rate-budget';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, numberEnv, requiredEnv } from '../shared/environment';
import { makeObservability } from '../shared/lambda';
import { queueConsumerHandler } from '../shared/queue-consumer';
import { makeErpDispatch, parseErpCommand } from './dispatch';

const observability = makeObservability('erp-dispatcher');
const { logger, metrics } = observability;
const aws = makeAwsClients(observability.tracer);
const coordinationTable = requiredEnv(ENV.coordinationTable);
const dispatch = makeErpDispatch({
  erp: makeBusinessCentralErp({ baseUrl: requiredEnv(ENV.erpBaseUrl) }),
  coordination: makeDynamoDbErpCoordination(aws.dynamodb(), {
    tableName: coordinationTable,
    name: 'erp',
    rateBudget: defaultRateBudgetConfig(numberEnv(ENV.erpRequestsPerSecond, 20)),
    breaker: {
      ...DEFAULT_BREAKER_CONFIG,
      failureThreshold: numberEnv(ENV.erpBreakerFailureThreshold, DEFAULT_BREAKER_CONFIG.failureThreshold),
      cooldownMs: numberEnv(ENV.erpBreakerCooldownSeconds, DEFAULT_BREAKER_CONFIG.cooldownMs / 1000) * 1000,
    },
  }),
  ledger: makeDynamoDbCommandLedger(aws.dynamodb(), coordinationTable),
  maxAttempts: numberEnv(ENV.erpMaxAttempts, 8),
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

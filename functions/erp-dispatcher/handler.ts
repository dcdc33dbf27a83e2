import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeBusinessCentralErp } from '../adapters/erp-business-central';
import { makeAwsClients } from '../shared/aws-clients';
import { ENV, requiredEnv } from '../shared/environment';
import { makeObservability } from '../shared/lambda';
import { queueConsumerHandler } from '../shared/queue-consumer';
import { makeErpDispatch, parseErpCommand } from './dispatch';

const observability = makeObservability('erp-dispatcher');
const aws = makeAwsClients(observability.tracer);
const dispatch = makeErpDispatch({ erp: makeBusinessCentralErp({ baseUrl: requiredEnv(ENV.erpBaseUrl) }) });

export const handler = queueConsumerHandler(
  observability,
  aws,
  async (record) => {
    const command = parseErpCommand(record.body);
    const started = Date.now();
    const receipt = await dispatch(command);
    observability.metrics.addMetric('ErpCallLatency', MetricUnit.Milliseconds, Date.now() - started);
    observability.logger.info('erp command executed', { commandId: command.commandId, type: command.type, ...receipt });
  },
  (record) => {
    try {
      return JSON.parse(record.body)?.correlationId;
    } catch {
      return undefined;
    }
  },
);

import { makeErpAuthorization } from '../adapters/credentials';
import { makeDynamoDbErpCoordination } from '../adapters/erp-coordination-store';
import { systemClock } from '../core/ports/clock';
import { statusMapFrom } from '../core/erp/business-central-orders';
import { DEFAULT_BREAKER_CONFIG } from '../core/erp/circuit-breaker';
import type { ErpGateSignal } from '../core/erp/gate';
import { DEFAULT_CUSTOMER_SHARE } from '../core/erp/priority-slots';
import { DEFAULT_MARGIN_MS, defaultRateBudgetConfig } from '../core/erp/rate-budget';
import type { makeAwsClients } from './aws-clients';
import { ENV, numberEnv, requiredEnv, type Environment } from './environment';

/**
 * The ERP's shared rate budget and circuit breaker, configured from the environment. Every function
 * that calls the ERP uses this one, so together they stay within the ERP's limit.
 */
export const erpCoordinationFrom = (environment: Environment, aws: ReturnType<typeof makeAwsClients>) =>
  makeDynamoDbErpCoordination(aws.dynamodb(), {
    tableName: requiredEnv(ENV.coordinationTable, environment),
    name: 'erp',
    rateBudget: defaultRateBudgetConfig(numberEnv(ENV.erpRequestsPerSecond, 20, environment), numberEnv(ENV.erpSendMarginMs, DEFAULT_MARGIN_MS, environment)),
    customerShare: numberEnv(ENV.erpPriorityShare, DEFAULT_CUSTOMER_SHARE, environment),
    breaker: {
      ...DEFAULT_BREAKER_CONFIG,
      failureThreshold: numberEnv(ENV.erpBreakerFailureThreshold, DEFAULT_BREAKER_CONFIG.failureThreshold, environment),
      cooldownMs: numberEnv(ENV.erpBreakerCooldownSeconds, DEFAULT_BREAKER_CONFIG.cooldownMs / 1000, environment) * 1000,
    },
  });

/** Metric names of what the ERP gate saw. */
export const ERP_GATE_METRICS: Record<ErpGateSignal, string> = {
  'breaker-open': 'ErpBreakerOpen',
  'budget-booked': 'ErpBudgetBooked',
  'rate-limited': 'ErpRateLimited',
  'send-late': 'ErpSendLate',
};

/** Where the ERP is and its credential (an Entra ID token for the secret the environment names), for the Business Central adapters. */
export const erpConnectionFrom = (environment: Environment, aws: ReturnType<typeof makeAwsClients>) => ({
  baseUrl: requiredEnv(ENV.erpBaseUrl, environment),
  statusMap: statusMapFrom(environment[ENV.erpOrderStatusMap]),
  auth: makeErpAuthorization({ client: aws.secretsManager(), secretId: requiredEnv(ENV.erpCredentialsSecret, environment), clock: systemClock }),
});

/** The metrics the stage's alarms and widgets share, built once from the stage's queues, functions and API. */
import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { ConsumerQueues } from '../consumer-queues';
import type { HandlerFunctions } from '../handler-functions';
import { FUNCTIONS, METRICS_NAMESPACE } from '../topology';

/** Alarm thresholds that are not stage settings. */
export const THRESHOLDS = {
  /** ApproximateAgeOfOldestMessage of a source queue, seconds. */
  oldestMessageAgeSeconds: 15 * 60,
  /** Lambda errors / invocations, percent. */
  functionErrorRatePercent: 5,
  /** API Gateway 5XX responses / requests, percent. */
  api5xxRatePercent: 1,
} as const;

export const FIVE_MINUTES = Duration.minutes(5);
export const RUNBOOK = 'docs/operations.md';

/** A CloudWatch metric id: starts lower-case, letters, digits and underscores only. */
export const metricId = (...parts: string[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^a-z]/, (c) => `m${c}`);

export interface MetricSources {
  queues: ConsumerQueues;
  functions: HandlerFunctions;
  api: RestApi;
}

export const operationsMetrics = ({ queues, api, ...props }: MetricSources) => {
  const functions = [...props.functions.byName.entries()];
  const consumerQueues = [...queues.byName.values()];
  const stage = api.deploymentStage;
  const appMetric = (metricName: string, service: string, statistic: string, label?: string) =>
    new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service }, statistic, period: FIVE_MINUTES, label });
  /** Every series of WebhookReceived (one per source and outcome), optionally narrowed to one outcome. */
  const webhooks = (outcome: string | undefined, label: string) =>
    new MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},service,source,outcome} MetricName="WebhookReceived" service="${FUNCTIONS.webhookIngest.serviceName}"${
        outcome ? ` outcome="${outcome}"` : ''
      }', 'Sum', 300)`,
      label,
      period: FIVE_MINUTES,
    });
  const consumerServices = consumerQueues.map(({ spec }) => FUNCTIONS[spec.consumer].serviceName);
  const perConsumer = (metricName: string) => consumerServices.map((service) => appMetric(metricName, service, Stats.SUM, service));

  const errorRate = new Map(
    functions.map(([name, fn]) => [
      name,
      new MathExpression({
        expression: `IF(${metricId('invocations', name)} > 0, 100 * ${metricId('errors', name)} / ${metricId('invocations', name)}, 0)`,
        usingMetrics: {
          [metricId('errors', name)]: fn.metricErrors({ statistic: Stats.SUM, period: FIVE_MINUTES }),
          [metricId('invocations', name)]: fn.metricInvocations({ statistic: Stats.SUM, period: FIVE_MINUTES }),
        },
        label: `${name} error %`,
        period: FIVE_MINUTES,
      }),
    ]),
  );
  const api5xxRate = new MathExpression({
    expression: 'IF(requests > 0, 100 * errors5xx / requests, 0)',
    usingMetrics: {
      errors5xx: stage.metricServerError({ statistic: Stats.SUM, period: FIVE_MINUTES }),
      requests: stage.metricCount({ statistic: Stats.SUM, period: FIVE_MINUTES }),
    },
    label: '5XX %',
    period: FIVE_MINUTES,
  });
  const syncLag = (statistic: string) => appMetric('ServiceDeskSyncLag', FUNCTIONS.serviceDeskUpdater.serviceName, statistic, `ServiceDeskSyncLag ${statistic}`);
  const syncLagSeconds = (statistic: string) =>
    new MathExpression({ expression: `${metricId('lag', statistic)} / 1000`, usingMetrics: { [metricId('lag', statistic)]: syncLag(statistic) }, label: `${statistic} (s)`, period: FIVE_MINUTES });
  /**
   * Ingest failures of every source. Alarms cannot use SEARCH, so this is a Metrics Insights query,
   * which also covers sources added later.
   */
  const ingestErrors = new MathExpression({
    expression: `SELECT SUM(WebhookReceived) FROM SCHEMA(${METRICS_NAMESPACE}, outcome, service, source) WHERE service = '${FUNCTIONS.webhookIngest.serviceName}' AND outcome = 'error'`,
    label: 'Webhooks failed (outcome=error)',
    period: FIVE_MINUTES,
  });

  /** The ERP gate's signals, from every function that calls the ERP (missing series count as 0). */
  const erpCallers = Object.values(FUNCTIONS)
    .filter((spec) => spec.needs.includes('erp:call'))
    .map((spec) => spec.serviceName);
  const erpGateSignal = (metricName: string, label: string) =>
    new MathExpression({
      expression: erpCallers.map((_, index) => `FILL(${metricId(metricName, String(index))}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(erpCallers.map((service, index) => [metricId(metricName, String(index)), appMetric(metricName, service, Stats.SUM)])),
      label,
      period: FIVE_MINUTES,
    });
  const breakerOpen = erpGateSignal('ErpBreakerOpen', 'calls held back by the open breaker');
  const reconcilerMetric = (metricName: string, label: string, period = Duration.hours(1)) =>
    new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: FUNCTIONS.reconciler.serviceName }, statistic: Stats.SUM, period, label });

  /** What the workflow-steps worker reports: turnaround KPIs (seconds), SLA breaches and open workflows per state. */
  const workflowMetric = (metricName: string, statistic: string, label: string, dimensions: Record<string, string> = {}) =>
    new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: FUNCTIONS.workflowSteps.serviceName, ...dimensions }, statistic, period: FIVE_MINUTES, label });

  return { queues, functions, consumerQueues, stage, appMetric, webhooks, consumerServices, perConsumer, errorRate, api5xxRate, syncLag, syncLagSeconds, ingestErrors, erpGateSignal, breakerOpen, reconcilerMetric, workflowMetric };
};

export type OperationsMetrics = ReturnType<typeof operationsMetrics>;

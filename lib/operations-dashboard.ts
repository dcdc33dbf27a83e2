import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ConsumerQueues } from './consumer-queues';
import type { HandlerFunctions } from './handler-functions';
import { FUNCTIONS, METRICS_NAMESPACE, type ResourceNames } from './topology';


/** Alarm thresholds that are not stage settings. */
export const THRESHOLDS = {
  /** ApproximateAgeOfOldestMessage of a source queue, seconds. */
  oldestMessageAgeSeconds: 15 * 60,
  /** Lambda errors / invocations, percent. */
  functionErrorRatePercent: 5,
  /** API Gateway 5XX responses / requests, percent. */
  api5xxRatePercent: 1,
} as const;

export interface OperationsDashboardProps {
  /** `retail-sync-<stage>`: names the dashboard, the alarms and the created topic. */
  names: ResourceNames;
  queues: ConsumerQueues;
  functions: HandlerFunctions;
  api: RestApi;
  /** Existing SNS topic to notify; without it a topic `retail-sync-<stage>-alarms` is created. */
  alarmTopicArn?: string;
  /** ServiceDeskSyncLag p99 alarm threshold, seconds. */
  syncLagAlarmSeconds: number;
  removalPolicy: RemovalPolicy;
}

const FIVE_MINUTES = Duration.minutes(5);
const RUNBOOK = 'docs/operations.md';

/** A CloudWatch metric id: starts lower-case, letters, digits and underscores only. */
const metricId = (...parts: string[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^a-z]/, (c) => `m${c}`);

/**
 * The operator's view of one stage: a dashboard that puts integration health (webhooks, queues,
 * functions, API) beside the business KPIs (service-desk sync lag, ERP latency, retries, stale
 * updates), and the alarms that page someone, each saying what to do. See docs/operations.md.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** Every alarm of the stage; each notifies `alarmTopic` on ALARM and on OK. */
  readonly alarms: Alarm[] = [];
  readonly alarmTopic: ITopic;

  private readonly names: ResourceNames;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { names, queues, api } = props;
    this.names = names;
    const functions = [...props.functions.byName.entries()];
    const consumerQueues = [...queues.byName.values()];
    const stage = api.deploymentStage;

    this.alarmTopic = props.alarmTopicArn ? Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : this.createAlarmTopic(props.removalPolicy);

    // ---- metrics -------------------------------------------------------------------------------
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
    const erpCallers = (['erpDispatcher', 'reconciler'] as const).map((name) => FUNCTIONS[name].serviceName);
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

    // ---- alarms --------------------------------------------------------------------------------
    for (const { spec, queue, deadLetterQueue } of consumerQueues) {
      this.alarm(`${spec.name}-dlq-not-empty`, {
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: Duration.minutes(1) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // SQS stops publishing metrics of a queue nobody touches for 6 hours, even with messages in it:
        // missing data must keep the alarm where it is, not clear it.
        treatMissingData: TreatMissingData.IGNORE,
        description:
          `A message reached the DLQ ${deadLetterQueue.queueName} of ${spec.name} (consumer ${spec.consumer}): it will not be retried by itself. ` +
          `Inspect it with \`npx retail-sync ops dlq peek ${spec.name} --stage <stage>\`, fix the cause (code, config or data), ` +
          `then \`npx retail-sync ops dlq redrive ${spec.name} --stage <stage>\` and check the DLQ depth returns to 0 on the dashboard. Runbook: ${RUNBOOK}.`,
      });
      this.alarm(`${spec.name}-oldest-message-age`, {
        metric: queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, period: FIVE_MINUTES }),
        threshold: THRESHOLDS.oldestMessageAgeSeconds,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        description:
          `The oldest message in ${queue.queueName} has waited more than ${THRESHOLDS.oldestMessageAgeSeconds / 60} minutes: ${spec.consumer} is failing, throttled or cannot keep up. ` +
          `Check its errors, throttles and the MessageRetried graph on the dashboard, and its logs.` +
          (spec.maxConcurrency ? ` Its concurrency is capped by the ${spec.maxConcurrency} setting.` : '') +
          (spec.consumer === 'erpDispatcher' ? ' An open ERP circuit breaker or a spent ERP rate budget also defers commands: check the ERP.' : '') +
          ` Runbook: ${RUNBOOK}.`,
      });
    }
    for (const [name, fn] of functions) {
      this.alarm(`${name}-error-rate`, {
        metric: errorRate.get(name)!,
        threshold: THRESHOLDS.functionErrorRatePercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        description:
          `More than ${THRESHOLDS.functionErrorRatePercent}% of ${fn.functionName} invocations failed in 2 of the last 3 five-minute periods. ` +
          `Open its log group (/aws/lambda/${names.function(name)}) and X-Ray traces for the error, and check a recent deploy or config change. Runbook: ${RUNBOOK}.`,
      });
    }
    this.alarm('api-5xx-rate', {
      metric: api5xxRate,
      threshold: THRESHOLDS.api5xxRatePercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `At least ${THRESHOLDS.api5xxRatePercent}% of API requests answered 5XX in 2 of the last 3 five-minute periods; senders will retry webhooks, agents see failed reads. ` +
        `Check the Lambda errors/throttles and ingest errors on the dashboard and the API access logs. Runbook: ${RUNBOOK}.`,
    });
    this.alarm('service-desk-sync-lag', {
      metric: syncLag(Stats.p(99)),
      threshold: props.syncLagAlarmSeconds * 1000,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `ServiceDeskSyncLag p99 is above ${props.syncLagAlarmSeconds} s (threshold in ms): agents see order status late. ` +
        `Check the service-desk-updater queue age, MessageRetried and throttles (concurrency is capped by serviceDeskMaxConcurrency) and the service desk's API health. Runbook: ${RUNBOOK}.`,
    });
    this.alarm('ingest-errors', {
      metric: ingestErrors,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `A webhook failed with an internal error (outcome=error, HTTP 5XX) in the last 5 minutes; the sender will retry it. ` +
        `Find it in the webhookIngest logs ("webhook failed", by correlationId) and check the bus, the idempotency table and the signing secrets. Runbook: ${RUNBOOK}.`,
    });

    this.alarm('erp-breaker-open', {
      metric: breakerOpen,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `The ERP circuit breaker is open: the ERP failed repeatedly (5xx or timeouts), so ERP commands and reconciliation wait in their queues instead of calling it. ` +
        `Nothing is lost; work resumes by itself after a successful probe. Check the ERP's health and the ERP command latency graph; ` +
        `if the ERP is down for long, the erp-commands oldest-message alarm follows. Runbook: ${RUNBOOK}.`,
    });
    this.alarm('drift-detected', {
      metric: reconcilerMetric('DriftDetected', 'orders out of sync'),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `Reconciliation found orders whose sync state or service cases did not show the ERP's state in the last hour: something on the normal path lost an update. ` +
        `Repairable drift is fixed by re-emitting the ERP's state (DriftRepaired); see DriftUnrepaired for what needs a person. ` +
        `List the run with \`npx retail-sync ops reconcile --run <runId> --stage <stage>\` (run ids in the reconciler's "drift detected" log lines), find why the update was lost, and fix the cause. Runbook: ${RUNBOOK}.`,
    });

    this.alarm('reconcile-unreadable', {
      metric: reconcilerMetric('ReconcileUnreadable', 'orders reconciliation could not read'),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `Reconciliation could not judge some orders in the last hour: the ERP reported a status the product does not map, or a linked case no longer exists. ` +
        `Such orders are not checked for drift until fixed. Find them in the run (\`npx retail-sync ops reconcile --run <runId> --stage <stage>\`, "unreadable" lines) or the reconciler's "order could not be reconciled" log lines; ` +
        `map the new ERP status or unlink the deleted case. Runbook: ${RUNBOOK}.`,
    });

    // ---- dashboard -----------------------------------------------------------------------------
    const graph = (title: string, left: IMetric[], options: Partial<ConstructorParameters<typeof GraphWidget>[0]> = {}) =>
      new GraphWidget({ title, left, width: 8, height: 6, period: FIVE_MINUTES, ...options });
    const heading = (markdown: string) => new TextWidget({ markdown, width: 24, height: 2 });
    const queueLabel = (name: string) => ({ label: name, period: Duration.minutes(1) });

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: names.dashboard, defaultInterval: Duration.hours(6) });
    this.dashboard.addWidgets(
      heading(
        `# ${names.dashboard}\nIntegration health beside business KPIs. Every alarm notifies the stage's alarm topic and says what to do; runbook: \`${RUNBOOK}\`, DLQ tooling: \`npx retail-sync ops dlq\`.`,
      ),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));

    this.dashboard.addWidgets(heading('## Integration health: webhooks in\nEvery delivery by source and outcome (`accepted`, `duplicate`, `unmapped` are fine; the rest are refusals or failures).'));
    this.dashboard.addWidgets(
      graph('Webhooks by source and outcome', [webhooks(undefined, '')]),
      graph('Signature failures by source', [webhooks('signature-invalid', '')]),
      graph('Ingest errors (outcome=error) by source', [webhooks('error', '')], {
        leftAnnotations: [{ value: 1, label: 'alarm', color: '#d62728' }],
      }),
    );

    this.dashboard.addWidgets(heading('## Queues\nMessages waiting per consumer queue, the age of the oldest one and what reached the DLQs (should be 0).'));
    this.dashboard.addWidgets(
      graph('Visible messages', consumerQueues.map(({ spec, queue }) => queue.metricApproximateNumberOfMessagesVisible({ ...queueLabel(spec.name), statistic: Stats.MAXIMUM }))),
      graph('Oldest message age (s)', consumerQueues.map(({ spec, queue }) => queue.metricApproximateAgeOfOldestMessage({ ...queueLabel(spec.name), statistic: Stats.MAXIMUM })), {
        leftAnnotations: [{ value: THRESHOLDS.oldestMessageAgeSeconds, label: 'alarm', color: '#d62728' }],
      }),
      graph(
        'DLQ depth',
        consumerQueues.map(({ spec, deadLetterQueue }) => deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...queueLabel(`${spec.name}-dlq`), statistic: Stats.MAXIMUM })),
        { leftAnnotations: [{ value: 1, label: 'alarm', color: '#d62728' }] },
      ),
    );

    this.dashboard.addWidgets(heading('## Functions and API'));
    this.dashboard.addWidgets(
      graph('Lambda errors', functions.map(([name, fn]) => fn.metricErrors({ label: name, statistic: Stats.SUM, period: FIVE_MINUTES }))),
      graph('Lambda error rate (%)', [...errorRate.values()], {
        leftAnnotations: [{ value: THRESHOLDS.functionErrorRatePercent, label: 'alarm', color: '#d62728' }],
      }),
      graph('Lambda throttles', functions.map(([name, fn]) => fn.metricThrottles({ label: name, statistic: Stats.SUM, period: FIVE_MINUTES }))),
    );
    this.dashboard.addWidgets(
      graph('Lambda duration p99 (ms)', functions.map(([name, fn]) => fn.metricDuration({ label: name, statistic: Stats.p(99), period: FIVE_MINUTES }))),
      graph(
        'API requests, 4XX and 5XX',
        [
          stage.metricCount({ label: 'requests', statistic: Stats.SUM, period: FIVE_MINUTES }),
          stage.metricClientError({ label: '4XX', statistic: Stats.SUM, period: FIVE_MINUTES }),
          stage.metricServerError({ label: '5XX', statistic: Stats.SUM, period: FIVE_MINUTES }),
        ],
        { right: [api5xxRate], rightAnnotations: [{ value: THRESHOLDS.api5xxRatePercent, label: '5XX % alarm', color: '#d62728' }] },
      ),
      graph('API latency (ms)', [
        stage.metricLatency({ label: 'latency p50', statistic: Stats.p(50), period: FIVE_MINUTES }),
        stage.metricLatency({ label: 'latency p99', statistic: Stats.p(99), period: FIVE_MINUTES }),
        stage.metricIntegrationLatency({ label: 'integration p99', statistic: Stats.p(99), period: FIVE_MINUTES }),
      ]),
    );

    this.dashboard.addWidgets(
      heading('## Business KPIs\nHow late agents see ERP changes, how fast commands reach the ERP, and how much work is retried, dead-lettered or arrives out of date.'),
    );
    this.dashboard.addWidgets(
      graph('Service desk sync lag (s)', [syncLagSeconds(Stats.p(50)), syncLagSeconds(Stats.p(99))], {
        leftAnnotations: [{ value: props.syncLagAlarmSeconds, label: 'p99 alarm', color: '#d62728' }],
      }),
      graph(
        'ERP command latency (ms)',
        [
          appMetric('ErpCommandLatency', FUNCTIONS.erpDispatcher.serviceName, Stats.p(50), 'p50'),
          appMetric('ErpCommandLatency', FUNCTIONS.erpDispatcher.serviceName, Stats.p(99), 'p99'),
        ],
        { right: [appMetric('ErpCallsPerCommand', FUNCTIONS.erpDispatcher.serviceName, Stats.AVERAGE, 'ERP calls per command (avg)')] },
      ),
      graph('ERP status updates', [
        appMetric('ErpStatusProjected', FUNCTIONS.syncStateProjector.serviceName, Stats.SUM, 'projected'),
        appMetric('ErpStatusStale', FUNCTIONS.syncStateProjector.serviceName, Stats.SUM, 'stale (older than what we hold)'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Messages processed per consumer', perConsumer('MessageProcessed')),
      graph('Messages retried per consumer', perConsumer('MessageRetried')),
      graph('Messages dead-lettered per consumer', perConsumer('MessageDeadLettered')),
    );
    this.dashboard.addWidgets(
      graph(
        'Event age when handled, p99 (ms)',
        consumerServices.map((service) => appMetric('EventAge', service, Stats.p(99), service)),
        { width: 24 },
      ),
    );
    const erpCommands = queues.byName.get('erp-commands');
    this.dashboard.addWidgets(
      graph('Webhooks accepted by source', [webhooks('accepted', '')], { width: 8 }),
      graph('Open exceptions (messages in all DLQs)', [
        new MathExpression({
          expression: consumerQueues.map(({ spec }) => `FILL(${metricId('dlq', spec.name)}, 0)`).join(' + '),
          usingMetrics: Object.fromEntries(
            consumerQueues.map(({ spec, deadLetterQueue }) => [metricId('dlq', spec.name), deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: FIVE_MINUTES })]),
          ),
          label: 'messages waiting for a person',
          period: FIVE_MINUTES,
        }),
      ]),
      graph(
        'Commands waiting on the ERP',
        erpCommands
          ? [
              erpCommands.queue.metricApproximateNumberOfMessagesVisible({ label: 'queued', statistic: Stats.MAXIMUM, period: FIVE_MINUTES }),
              erpCommands.queue.metricApproximateNumberOfMessagesNotVisible({ label: 'in flight or deferred', statistic: Stats.MAXIMUM, period: FIVE_MINUTES }),
            ]
          : [],
      ),
    );

    this.dashboard.addWidgets(
      heading(
        '## Reconciliation and the ERP\nOrders the reconciler compared with the ERP, how many had drifted (and were repaired by re-emitting the ERP state), and what the ERP gate held back. `npx retail-sync ops reconcile --since 2h` runs it now.',
      ),
    );
    this.dashboard.addWidgets(
      graph('Entities out of sync (found by reconciliation)', [
        reconcilerMetric('DriftDetected', 'drift detected', FIVE_MINUTES),
        reconcilerMetric('DriftRepaired', 'repaired', FIVE_MINUTES),
        reconcilerMetric('DriftUnrepaired', 'not repaired (manual, deferred, report-only)', FIVE_MINUTES),
      ], { leftAnnotations: [{ value: 1, label: 'alarm', color: '#d62728' }] }),
      graph('Orders reconciled', [reconcilerMetric('OrdersReconciled', 'checked', FIVE_MINUTES), reconcilerMetric('ReconcileUnreadable', 'unreadable', FIVE_MINUTES)]),
      graph('ERP gate', [breakerOpen, erpGateSignal('ErpRateLimited', '429s from the ERP'), erpGateSignal('ErpBudgetBooked', 'deferred: rate budget booked ahead')], {
        leftAnnotations: [{ value: 1, label: 'breaker alarm', color: '#d62728' }],
      }),
    );
  }

  /**
   * Adds a headed row of widgets, so later workflows (refund-or-replacement, returns) put their KPIs
   * on the same dashboard as the integration's health.
   */
  addSection(markdown: string, widgets: IWidget[]) {
    this.dashboard.addWidgets(new TextWidget({ markdown, width: 24, height: 2 }));
    this.dashboard.addWidgets(...widgets);
  }

  private alarm(name: string, props: Omit<ConstructorParameters<typeof Alarm>[2], 'alarmName' | 'alarmDescription'> & { description: string }) {
    const { description, ...rest } = props;
    const alarm = new Alarm(this, name, { ...rest, alarmName: this.names.alarm(name), alarmDescription: description });
    const action = new SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * The stage's own alarm topic. Encrypted with a customer managed key: CloudWatch cannot publish to a
   * topic under the AWS managed key alias/aws/sns, whose key policy does not let it use the key.
   */
  private createAlarmTopic(removalPolicy: RemovalPolicy): Topic {
    const { account, region, partition } = Stack.of(this);
    const alarmArns = `arn:${partition}:cloudwatch:${region}:${account}:alarm:${this.names.alarm('*')}`;
    const key = new Key(this, 'AlarmTopicKey', {
      alias: `alias/${this.names.alarmTopic}`,
      description: `Encrypts the ${this.names.alarmTopic} topic; CloudWatch alarms may use it to publish`,
      enableKeyRotation: true,
      removalPolicy,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': alarmArns } },
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      topicName: this.names.alarmTopic,
      displayName: `${this.names.prefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // Creating a topic policy replaces SNS's default one, so CloudWatch needs its own grant.
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': alarmArns } },
      }),
    );
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn, description: 'Subscribe on-call (email, chat, pager) to this topic to receive alarms' });
    return topic;
  }
}

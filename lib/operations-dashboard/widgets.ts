/** The dashboard's widgets, section by section: integration health beside the business KPIs. */
import { Duration } from 'aws-cdk-lib';
import { type Alarm, AlarmStatusWidget, type Dashboard, GraphWidget, type IMetric, MathExpression, Stats, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { FUNCTIONS, type ResourceNames } from '../topology';
import { FIVE_MINUTES, metricId, type OperationsMetrics, RUNBOOK, THRESHOLDS } from './metrics';

export const heading = (markdown: string) => new TextWidget({ markdown, width: 24, height: 2 });

/** Adds every section of the stage dashboard, the alarm status first. */
export const addDashboardWidgets = (
  dashboard: Dashboard,
  { queues, functions, consumerQueues, stage, appMetric, webhooks, consumerServices, perConsumer, errorRate, api5xxRate, syncLagSeconds, erpGateSignal, breakerOpen, reconcilerMetric, workflowMetric }: OperationsMetrics,
  { names, alarms, syncLagAlarmSeconds }: { names: ResourceNames; alarms: Alarm[]; syncLagAlarmSeconds: number },
) => {
  const graph = (title: string, left: IMetric[], options: Partial<ConstructorParameters<typeof GraphWidget>[0]> = {}) =>
    new GraphWidget({ title, left, width: 8, height: 6, period: FIVE_MINUTES, ...options });
  const queueLabel = (name: string) => ({ label: name, period: Duration.minutes(1) });

  dashboard.addWidgets(
    heading(
      `# ${names.dashboard}\nIntegration health beside business KPIs. Every alarm notifies the stage's alarm topic and says what to do; runbook: \`${RUNBOOK}\`, DLQ tooling: \`npx retail-sync ops dlq\`.`,
    ),
  );
  dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 4 }));

  dashboard.addWidgets(heading('## Integration health: webhooks in\nEvery delivery by source and outcome (`accepted`, `duplicate`, `unmapped` are fine; the rest are refusals or failures).'));
  dashboard.addWidgets(
    graph('Webhooks by source and outcome', [webhooks(undefined, '')]),
    graph('Signature failures by source', [webhooks('signature-invalid', '')]),
    graph('Ingest errors (outcome=error) by source', [webhooks('error', '')], {
      leftAnnotations: [{ value: 1, label: 'alarm', color: '#d62728' }],
    }),
  );

  dashboard.addWidgets(heading('## Queues\nMessages waiting per consumer queue, the age of the oldest one and what reached the DLQs (should be 0).'));
  dashboard.addWidgets(
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

  dashboard.addWidgets(heading('## Functions and API'));
  dashboard.addWidgets(
    graph('Lambda errors', functions.map(([name, fn]) => fn.metricErrors({ label: name, statistic: Stats.SUM, period: FIVE_MINUTES }))),
    graph('Lambda error rate (%)', [...errorRate.values()], {
      leftAnnotations: [{ value: THRESHOLDS.functionErrorRatePercent, label: 'alarm', color: '#d62728' }],
    }),
    graph('Lambda throttles', functions.map(([name, fn]) => fn.metricThrottles({ label: name, statistic: Stats.SUM, period: FIVE_MINUTES }))),
  );
  dashboard.addWidgets(
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

  dashboard.addWidgets(
    heading('## Business KPIs\nHow late agents see ERP changes, how fast commands reach the ERP, and how much work is retried, dead-lettered or arrives out of date.'),
  );
  dashboard.addWidgets(
    graph('Service desk sync lag (s)', [syncLagSeconds(Stats.p(50)), syncLagSeconds(Stats.p(99))], {
      leftAnnotations: [{ value: syncLagAlarmSeconds, label: 'p99 alarm', color: '#d62728' }],
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
  dashboard.addWidgets(
    graph('Messages processed per consumer', perConsumer('MessageProcessed')),
    graph('Messages retried per consumer', perConsumer('MessageRetried')),
    graph('Messages dead-lettered per consumer', perConsumer('MessageDeadLettered')),
  );
  dashboard.addWidgets(
    graph(
      'Event age when handled, p99 (ms)',
      consumerServices.map((service) => appMetric('EventAge', service, Stats.p(99), service)),
      { width: 24 },
    ),
  );
  const erpCommands = queues.byName.get('erp-commands');
  dashboard.addWidgets(
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

  dashboard.addWidgets(
    heading(
      '## Reconciliation and the ERP\nOrders the reconciler compared with the ERP, how many had drifted (and were repaired by re-emitting the ERP state), and what the ERP gate held back. `npx retail-sync ops reconcile --since 2h` runs it now.',
    ),
  );
  dashboard.addWidgets(
    graph('Entities out of sync (found by reconciliation)', [
      reconcilerMetric('DriftDetected', 'drift detected', FIVE_MINUTES),
      reconcilerMetric('DriftRepaired', 'repaired', FIVE_MINUTES),
      reconcilerMetric('DriftUnrepaired', 'not repaired (manual, deferred, report-only)', FIVE_MINUTES),
      appMetric('ServiceDeskUpdateUnverified', FUNCTIONS.serviceDeskUpdater.serviceName, Stats.SUM, 'case updates the desk did not show (next run checks them)'),
    ], { leftAnnotations: [{ value: 1, label: 'alarm', color: '#d62728' }] }),
    graph('Orders reconciled', [reconcilerMetric('OrdersReconciled', 'checked', FIVE_MINUTES), reconcilerMetric('ReconcileUnreadable', 'unreadable', FIVE_MINUTES)]),
    graph('ERP gate', [breakerOpen, erpGateSignal('ErpRateLimited', '429s from the ERP'), erpGateSignal('ErpBudgetBooked', 'deferred: rate budget booked ahead')], {
      leftAnnotations: [{ value: 1, label: 'breaker alarm', color: '#d62728' }],
    }),
  );

  dashboard.addWidgets(
    heading(
      "## Workflows: refunds, replacements, returns\nTime from an agent's request to the money, the replacement order and the solved case; workflows still open (an exception waits for a person: `npx retail-sync ops workflows list --state exception`); SLA breaches (see docs/workflows.md).",
    ),
  );
  const turnaround = (metricName: string, label: string) => [workflowMetric(metricName, 'p50', `${label} p50 (s)`), workflowMetric(metricName, 'p90', `${label} p90 (s)`)];
  dashboard.addWidgets(
    graph('Turnaround from request (seconds)', [...turnaround('RefundTurnaround', 'refund'), ...turnaround('ReplacementCycleTime', 'replacement'), ...turnaround('CaseClosureLatency', 'case closed')]),
    graph(
      'Open workflows',
      ['running', 'waiting-for-return', 'exception'].map((state) => workflowMetric('WorkflowsOpen', Stats.MAXIMUM, state, { state })),
    ),
    graph('SLA breaches', [workflowMetric('WorkflowSlaBreached', Stats.SUM, 'newly breached')], { leftAnnotations: [{ value: 1, label: 'alarm', color: '#d62728' }] }),
  );
};

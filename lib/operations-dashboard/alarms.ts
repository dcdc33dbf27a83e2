/** The stage's alarms, each with the runbook text an on-call engineer reads when it fires. */
import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { FIVE_MINUTES, type OperationsMetrics, RUNBOOK, THRESHOLDS } from './metrics';
import type { ResourceNames } from '../topology';

export type AlarmProps = Omit<ConstructorParameters<typeof Alarm>[2], 'alarmName' | 'alarmDescription'> & { description: string };

/** Defines every alarm through `alarm` (which names it and wires its notifications), in dashboard order. */
export const defineAlarms = (
  { functions, consumerQueues, errorRate, api5xxRate, syncLag, ingestErrors, breakerOpen, reconcilerMetric, workflowMetric }: OperationsMetrics,
  { names, syncLagAlarmSeconds, alarm }: { names: ResourceNames; syncLagAlarmSeconds: number; alarm: (name: string, props: AlarmProps) => Alarm },
) => {
    for (const { spec, queue, deadLetterQueue } of consumerQueues) {
      alarm(`${spec.name}-dlq-not-empty`, {
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
      alarm(`${spec.name}-oldest-message-age`, {
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
      alarm(`${name}-error-rate`, {
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
    alarm('api-5xx-rate', {
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
    alarm('service-desk-sync-lag', {
      metric: syncLag(Stats.p(99)),
      threshold: syncLagAlarmSeconds * 1000,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `ServiceDeskSyncLag p99 is above ${syncLagAlarmSeconds} s (threshold in ms): agents see order status late. ` +
        `Check the service-desk-updater queue age, MessageRetried and throttles (concurrency is capped by serviceDeskMaxConcurrency) and the service desk's API health. Runbook: ${RUNBOOK}.`,
    });
    alarm('ingest-errors', {
      metric: ingestErrors,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `A webhook failed with an internal error (outcome=error, HTTP 5XX) in the last 5 minutes; the sender will retry it. ` +
        `Find it in the webhookIngest logs ("webhook failed", by correlationId) and check the bus, the idempotency table and the signing secrets. Runbook: ${RUNBOOK}.`,
    });

    alarm('erp-breaker-open', {
      metric: breakerOpen,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `The ERP circuit breaker is open: the ERP failed repeatedly (5xx or timeouts), so ERP commands, reconciliation and the workflows' ERP reads wait in their queues instead of calling it. ` +
        `Nothing is lost; work resumes by itself after a successful probe. Check the ERP's health and the ERP command latency graph; ` +
        `if the ERP is down for long, the erp-commands oldest-message alarm follows. Runbook: ${RUNBOOK}.`,
    });
    alarm('drift-detected', {
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

    alarm('reconcile-unreadable', {
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

    alarm('workflow-sla-breached', {
      metric: workflowMetric('WorkflowSlaBreached', Stats.SUM, 'workflows past their SLA'),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        `A refund-or-replacement workflow passed the SLA its policy sets (config/policies, slaHours) and is still open; a workflow.sla.breached event names it. ` +
        `Find it with \`npx retail-sync ops workflows list --stage <stage>\` (running, waiting-for-return, exception), read its history with \`ops workflows show <workflowId>\`, ` +
        `and act: an exception needs \`ops workflows retry\` or \`abandon\`; a workflow waiting on the ERP points at the ERP (breaker alarm, erp-commands queue). Runbook: ${RUNBOOK}.`,
    });
};

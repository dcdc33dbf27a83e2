import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GraphWidget, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { readStageConfig, type StageConfig } from '../../lib/config';
import { OperationsDashboard } from '../../lib/operations-dashboard';
import { RetailSyncStack } from '../../lib/retail-sync-stack';
import { FUNCTIONS, METRICS_NAMESPACE, QUEUES, resourceNames } from '../../lib/topology';
import cdkJson from '../../cdk.json';

const context = cdkJson.context as Record<string, unknown>;
const config = (overrides: Partial<StageConfig> = {}): StageConfig => ({ ...readStageConfig(context), ...overrides }) as StageConfig;

const synth = (overrides: Partial<StageConfig> = {}) => {
  // Bundling is skipped: these tests read the template, not the code assets.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RetailSyncStack(app, 'Test', { config: config(overrides), env: { account: '123456789012', region: 'eu-west-1' } });
  return { stack, template: Template.fromStack(stack) };
};

const onlyId = (template: Template, type: string, props: Record<string, unknown>) => {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

const prefix = 'retail-sync-dev';
const EXTERNAL_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:on-call';

describe('OperationsDashboard', () => {
  const { stack, template } = synth();
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  const alarmNamed = (name: string) => {
    const found = Object.values(alarms).filter((alarm) => alarm.Properties.AlarmName === `${prefix}-${name}`);
    expect(found).toHaveLength(1);
    return found[0]!.Properties;
  };

  it('creates the stage dashboard with headed sections', () => {
    // Act
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    // Assess
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBe(prefix);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const heading of ['Integration health', 'Queues', 'Functions and API', 'Business KPIs']) expect(body).toContain(heading);
    for (const metric of ['WebhookReceived', 'ServiceDeskSyncLag', 'ErpCommandLatency', 'MessageRetried', 'MessageDeadLettered', 'ErpStatusStale']) {
      expect(body).toContain(metric);
    }
    expect(body).toContain(`SEARCH('{${METRICS_NAMESPACE},service,source,outcome} MetricName=`);
  });

  it.each(QUEUES.map((queue) => [queue.name, queue] as const))('alarms on any message in the DLQ of %s and on its oldest message', (name, spec) => {
    // Act
    const dlqId = onlyId(template, 'AWS::SQS::Queue', { QueueName: resourceNames('dev').deadLetterQueue(spec) });
    const queueId = onlyId(template, 'AWS::SQS::Queue', { QueueName: resourceNames('dev').queue(spec) });

    const dlq = alarmNamed(`${name}-dlq-not-empty`);
    // Assess
    expect(dlq).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      // An idle queue stops reporting: missing data must not clear the alarm.
      TreatMissingData: 'ignore',
    });
    expect(JSON.stringify(dlq.AlarmDescription)).toContain(`ops dlq peek ${name}`);

    expect(alarmNamed(`${name}-oldest-message-age`)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 15 * 60,
      TreatMissingData: 'notBreaching',
    });
  });

  it('has exactly one DLQ alarm per DLQ and one age alarm per source queue', () => {
    // Act
    const byMetric = (metricName: string) => Object.values(alarms).filter((alarm) => alarm.Properties.MetricName === metricName);
    // Assess
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(QUEUES.length);
    expect(byMetric('ApproximateAgeOfOldestMessage')).toHaveLength(QUEUES.length);
  });

  it.each(Object.keys(FUNCTIONS))('alarms on the error rate of %s', (name) => {
    // Act
    const functionId = onlyId(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}-${name}` });
    const alarm = alarmNamed(`${name}-error-rate`);
    // Assess
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 5, TreatMissingData: 'notBreaching' });
    const queries = alarm.Metrics as Array<Record<string, any>>;
    const expression = queries.find((query) => query.ReturnData !== false)!.Expression as string;
    const stat = (metricName: string) => queries.find((query) => query.MetricStat?.Metric.MetricName === metricName)!;
    for (const metricName of ['Errors', 'Invocations']) {
      expect(stat(metricName).MetricStat).toMatchObject({
        Metric: { Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }] },
        Stat: 'Sum',
      });
    }
    expect(expression).toContain(`100 * ${stat('Errors').Id} / ${stat('Invocations').Id}`);
  });

  it('alarms on the API 5XX rate of the deployed stage', () => {
    // Act
    const alarm = alarmNamed('api-5xx-rate');
    // Assess
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 });
    const metrics = (alarm.Metrics as Array<Record<string, any>>).filter((query) => query.MetricStat).map((query) => query.MetricStat.Metric);
    expect(metrics.map((metric) => metric.MetricName).sort()).toEqual(['5XXError', 'Count']);
    for (const metric of metrics) expect(metric.Dimensions).toEqual(expect.arrayContaining([{ Name: 'ApiName', Value: `${prefix}-api` }]));
  });

  /** The sync-lag alarm's metric must be the updater's p99 ServiceDeskSyncLag; returns its threshold (ms). */
  const syncLagThreshold = (properties: Record<string, any>) => {
    const [query] = properties.Metrics as Array<Record<string, any>>;
    expect(query!.MetricStat).toMatchObject({
      Metric: { Namespace: METRICS_NAMESPACE, MetricName: 'ServiceDeskSyncLag', Dimensions: [{ Name: 'service', Value: 'service-desk-updater' }] },
      Stat: 'p99',
    });
    return properties.Threshold;
  };

  it('alarms on ServiceDeskSyncLag p99 above 300 s by default', () => {
    // Act
    const threshold = syncLagThreshold(alarmNamed('service-desk-sync-lag'));
    // Assess
    expect(config().syncLagAlarmSeconds).toBe(300);
    // The metric is in milliseconds.
    expect(threshold).toBe(300_000);
  });

  it('alarms on ServiceDeskSyncLag p99 above the configured seconds', () => {
    // Prepare
    const { template: custom } = synth({ syncLagAlarmSeconds: 120 });
    // Act
    const alarm = Object.values(custom.findResources('AWS::CloudWatch::Alarm')).find((candidate) => candidate.Properties.AlarmName === `${prefix}-service-desk-sync-lag`)!;
    // Assess
    expect(syncLagThreshold(alarm.Properties)).toBe(120_000);
  });

  it('alarms on any ingest error of any source', () => {
    // Act
    const alarm = alarmNamed('ingest-errors');
    // Assess
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, TreatMissingData: 'notBreaching' });
    const [query] = alarm.Metrics as Array<Record<string, any>>;
    expect(query!.Expression).toBe(
      `SELECT SUM(WebhookReceived) FROM SCHEMA(${METRICS_NAMESPACE}, outcome, service, source) WHERE service = 'webhook-ingest' AND outcome = 'error'`,
    );
    expect(query!.Period).toBe(300);
  });

  it('alarms when the ERP circuit breaker holds calls back, from any ERP caller', () => {
    // Act
    const alarm = alarmNamed('erp-breaker-open');
    // Assess
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    const queries = alarm.Metrics as Array<Record<string, any>>;
    const sources = queries.filter((query) => query.MetricStat).map((query) => query.MetricStat);
    // Every function with the need `erp:call` passes the gate, so every one of them counts.
    expect(sources.map((stat) => stat.Metric.Dimensions[0].Value).sort()).toEqual(['erp-dispatcher', 'erp-notifications', 'reconciler', 'workflow-steps']);
    for (const stat of sources) expect(stat).toMatchObject({ Metric: { Namespace: METRICS_NAMESPACE, MetricName: 'ErpBreakerOpen' }, Stat: 'Sum' });
    expect(queries.find((query) => query.Expression)!.Expression).toMatch(/^FILL\(\w+, 0\) \+ FILL\(\w+, 0\) \+ FILL\(\w+, 0\) \+ FILL\(\w+, 0\)$/);
  });

  it('alarms on any drift reconciliation found in the last hour', () => {
    // Act
    const alarm = alarmNamed('drift-detected');
    const [query] = alarm.Metrics as Array<Record<string, any>>;
    // Assess
    expect(query!.MetricStat).toEqual({
      Metric: { Namespace: METRICS_NAMESPACE, MetricName: 'DriftDetected', Dimensions: [{ Name: 'service', Value: 'reconciler' }] },
      Stat: 'Sum',
      Period: 3600,
    });
    expect(alarm).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.AlarmDescription).toContain('ops reconcile --run');
  });

  it('alarms on orders reconciliation could not read', () => {
    // Act
    const alarm = alarmNamed('reconcile-unreadable');
    const [query] = alarm.Metrics as Array<Record<string, any>>;
    // Assess
    expect(query!.MetricStat).toMatchObject({ Metric: { MetricName: 'ReconcileUnreadable', Dimensions: [{ Name: 'service', Value: 'reconciler' }] }, Stat: 'Sum', Period: 3600 });
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
  });

  it('shows reconciliation and the ERP gate on the dashboard', () => {
    // Act
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    // Assess
    expect(body).toContain('Reconciliation and the ERP');
    expect(body).toContain('Open exceptions (messages in all DLQs)');
    expect(body).toContain('EventAge');
    expect(body).toContain('Commands waiting on the ERP');
    for (const metric of ['DriftDetected', 'DriftRepaired', 'DriftUnrepaired', 'OrdersReconciled', 'ErpBreakerOpen', 'ErpRateLimited', 'ErpBudgetBooked']) expect(body).toContain(metric);
  });

  it('lets later workflows add their KPIs as a headed section of the same dashboard', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const extended = new RetailSyncStack(app, 'Extended', { config: config(), env: { account: '123456789012', region: 'eu-west-1' } });
    const construct = extended.node.findChild('Operations') as OperationsDashboard;
    // Act
    construct.addSection('## Refunds and replacements', [new GraphWidget({ title: 'Refunds waiting on the ERP', left: [new Metric({ namespace: METRICS_NAMESPACE, metricName: 'RefundsWaiting' })] })]);
    const body = JSON.stringify(Object.values(Template.fromStack(extended).findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    // Assess
    expect(body).toContain('Refunds and replacements');
    expect(body).toContain('RefundsWaiting');
  });

  it('shows the workflow KPIs and pages when a workflow breaches its SLA', () => {
    // Prepare
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    // Act
    const [sla] = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'retail-sync-dev-workflow-sla-breached' } }));
    // Assess
    for (const kpi of ['RefundTurnaround', 'ReplacementCycleTime', 'CaseClosureLatency', 'WorkflowsOpen', 'WorkflowSlaBreached']) expect(body).toContain(kpi);
    expect(sla!.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(sla!.Properties.Metrics).toEqual([
      expect.objectContaining({
        MetricStat: expect.objectContaining({
          Metric: { MetricName: 'WorkflowSlaBreached', Namespace: METRICS_NAMESPACE, Dimensions: [{ Name: 'service', Value: 'workflow-steps' }] },
          Stat: 'Sum',
        }),
      }),
    ]);
  });

  it('gives every alarm a description and lists them all on the construct', () => {
    // Act
    const construct = stack.node.findChild('Operations') as OperationsDashboard;
    // Assess
    expect(construct.alarms).toHaveLength(Object.keys(alarms).length);
    expect(Object.keys(alarms)).toHaveLength(QUEUES.length * 2 + Object.keys(FUNCTIONS).length + 7);
    for (const alarm of Object.values(alarms)) expect(JSON.stringify(alarm.Properties.AlarmDescription)).toContain('docs/operations.md');
  });

  it('notifies a created, KMS-encrypted, SSL-only topic that CloudWatch may publish to', () => {
    // Act
    const keyId = onlyId(template, 'AWS::KMS::Key', { EnableKeyRotation: true });
    const topicId = onlyId(template, 'AWS::SNS::Topic', { TopicName: `${prefix}-alarms`, KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    // Assess
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
    // CloudWatch cannot use the AWS managed key alias/aws/sns; the customer managed key lets it.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
  });

  it('notifies the configured topic instead when alarmTopicArn is set', () => {
    // Act
    const { template: external } = synth({ alarmTopicArn: EXTERNAL_TOPIC });
    // Assess
    external.resourceCountIs('AWS::SNS::Topic', 0);
    external.resourceCountIs('AWS::KMS::Key', 0);
    const externalAlarms = Object.values(external.findResources('AWS::CloudWatch::Alarm'));
    expect(externalAlarms).toHaveLength(Object.keys(alarms).length);
    for (const alarm of externalAlarms) {
      expect(alarm.Properties.AlarmActions).toEqual([EXTERNAL_TOPIC]);
      expect(alarm.Properties.OKActions).toEqual([EXTERNAL_TOPIC]);
    }
  });

  it("gives every function the Powertools service name and namespace the dashboard reads", () => {
    // Prepare
    const functions = template.findResources('AWS::Lambda::Function');
    // Act
    const environments = Object.values(functions)
      .map((resource) => resource.Properties.Environment?.Variables)
      .filter((variables) => variables?.STAGE);
    // Assess
    expect(environments.map((variables) => variables.POWERTOOLS_SERVICE_NAME).sort()).toEqual(
      Object.values(FUNCTIONS).map((spec) => spec.serviceName).sort(),
    );
    for (const variables of environments) expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
  });
});

describe('alarm settings', () => {
  it('rejects an alarmTopicArn that is not an SNS topic ARN', () => {
    // Act
    const read = () => readStageConfig({ ...context, alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:q' });
    // Assess
    expect(read).toThrow(/context "alarmTopicArn"/);
  });

  it('reads both settings from context', () => {
    // Act
    const parsed = readStageConfig({ ...context, alarmTopicArn: EXTERNAL_TOPIC, syncLagAlarmSeconds: '600' });
    // Assess
    expect(parsed).toMatchObject({ alarmTopicArn: EXTERNAL_TOPIC, syncLagAlarmSeconds: 600 });
  });

  it('leaves the alarm topic unset unless context names one', () => {
    // Act
    const parsed = readStageConfig(context);
    // Assess
    expect(parsed.alarmTopicArn).toBeUndefined();
  });
});

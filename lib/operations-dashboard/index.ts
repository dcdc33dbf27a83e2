import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, Dashboard, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ConsumerQueues } from '../consumer-queues';
import type { HandlerFunctions } from '../handler-functions';
import { createAlarmTopic } from './alarm-topic';
import { type AlarmProps, defineAlarms } from './alarms';
import { operationsMetrics } from './metrics';
import { addDashboardWidgets, heading } from './widgets';
import type { ResourceNames } from '../topology';

export { THRESHOLDS } from './metrics';

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
    const { names } = props;
    this.names = names;
    this.alarmTopic = props.alarmTopicArn ? Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : createAlarmTopic(this, names, props.removalPolicy);
    const metrics = operationsMetrics(props);
    defineAlarms(metrics, { names, syncLagAlarmSeconds: props.syncLagAlarmSeconds, alarm: (name, alarmProps) => this.alarm(name, alarmProps) });
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: names.dashboard, defaultInterval: Duration.hours(6) });
    addDashboardWidgets(this.dashboard, metrics, { names, alarms: this.alarms, syncLagAlarmSeconds: props.syncLagAlarmSeconds });
  }

  /**
   * Adds a headed row of widgets, so later workflows (refund-or-replacement, returns) put their KPIs
   * on the same dashboard as the integration's health.
   */
  addSection(markdown: string, widgets: IWidget[]) {
    this.dashboard.addWidgets(heading(markdown));
    this.dashboard.addWidgets(...widgets);
  }

  private alarm(name: string, props: AlarmProps) {
    const { description, ...rest } = props;
    const alarm = new Alarm(this, name, { ...rest, alarmName: this.names.alarm(name), alarmDescription: description });
    const action = new SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}

import { CfnOutput, Lazy, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ApiFirewall } from './api-firewall';
import { CanonicalEventBus } from './canonical-event-bus';
import { isProduction, webhookRateLimitOf, type StageConfig } from './config';
import { ConsumerQueues } from './consumer-queues';
import { HandlerFunctions } from './handler-functions';
import { OperationsDashboard } from './operations-dashboard';
import { StateTables } from './state-tables';
import { QUEUES, resourceNames } from './topology';
import { WebhookApi } from './webhook-api';
import { WorkflowStateMachines } from './workflow-state-machines';

export interface RetailSyncStackProps extends StackProps {
  config: StageConfig;
}

/** Composes the product: bus, state, queues, functions and API, for one stage. */
export class RetailSyncStack extends Stack {
  readonly eventBus: CanonicalEventBus;
  readonly tables: StateTables;
  readonly queues: ConsumerQueues;
  readonly workflows: WorkflowStateMachines;
  readonly functions: HandlerFunctions;
  readonly api: WebhookApi;
  readonly firewall: ApiFirewall;

  constructor(scope: Construct, id: string, props: RetailSyncStackProps) {
    super(scope, id, props);
    const { config } = props;
    const names = resourceNames(config.stage);
    // Production keeps its data when the stack goes; other stages clean up after themselves.
    const removalPolicy = isProduction(config) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.eventBus = new CanonicalEventBus(this, 'Events', { names, archiveRetentionDays: config.archiveRetentionDays, removalPolicy });
    this.tables = new StateTables(this, 'State', { names, removalPolicy });
    this.queues = new ConsumerQueues(this, 'Queues', { names, bus: this.eventBus.bus, removalPolicy, scheduleEveryMinutes: {
        reconcileEveryMinutes: config.reconcileEveryMinutes,
        workflowSlaCheckEveryMinutes: config.workflowSlaCheckEveryMinutes,
        erpSubscriptionCheckEveryMinutes: config.erpSubscriptionCheckEveryMinutes,
      },
    });
    const queueOf = (consumer: (typeof QUEUES)[number]['consumer']) => this.queues.byName.get(QUEUES.find((queue) => queue.consumer === consumer)!.name)!.queue;
    this.workflows = new WorkflowStateMachines(this, 'Workflows', {
      names,
      stepsQueue: queueOf('workflowSteps'),
      erpCommandQueue: queueOf('erpDispatcher'),
      logRetentionDays: config.logRetentionDays as RetentionDays,
      removalPolicy,
    });
    this.functions = new HandlerFunctions(this, 'Functions', {
      config,
      names,
      bus: this.eventBus.bus,
      tables: this.tables,
      queues: this.queues,
      workflows: this.workflows,
      removalPolicy,
      businessCentralNotificationUrl: Lazy.string({ produce: () => this.api.api.urlForPath('/v1/webhooks/businesscentral') }),
    });
    this.api = new WebhookApi(this, 'Http', {
      names,
      stage: config.stage,
      functions: this.functions.byName,
      logRetentionDays: config.logRetentionDays,
      removalPolicy,
      readApiAuth: config.readApiAuth,
      throttling: {
        webhooks: { rateLimit: config.webhookThrottleRatePerSecond, burstLimit: config.webhookThrottleBurst },
        reads: { rateLimit: config.readThrottleRatePerSecond, burstLimit: config.readThrottleBurst },
      },
    });
    this.firewall = new ApiFirewall(this, 'Firewall', { names, stageArn: this.api.api.deploymentStage.stageArn, webhookRateLimit: webhookRateLimitOf(config) });
    new OperationsDashboard(this, 'Operations', {
      names,
      queues: this.queues,
      functions: this.functions,
      api: this.api.api,
      alarmTopicArn: config.alarmTopicArn,
      syncLagAlarmSeconds: config.syncLagAlarmSeconds,
      removalPolicy,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'Base URL; webhooks go to <ApiUrl>v1/webhooks/{source}' });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.bus.eventBusName });
    new CfnOutput(this, 'ArchiveName', { value: this.eventBus.archive.archiveName });
    this.acknowledgeNagFindings();
  }

  /**
   * Findings reviewed and accepted, each on the construct it concerns (the API's are in `WebhookApi`),
   * so a finding anywhere else still fails synthesis.
   */
  private acknowledgeNagFindings() {
    for (const fn of this.functions.byName.values()) {
      Validations.of(fn).acknowledge({ id: 'AwsSolutions::AwsSolutions-L1', reason: 'nodejs22.x is the runtime this product is tested on.' });
      Validations.of(fn.role!).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'AWSLambdaBasicExecutionRole only lets a function write its own logs.',
      });
      // Active tracing puts X-Ray's statement (the only `Resource: *` in the stack, which a CDK test checks) in this policy.
      Validations.of(fn.role!.node.findChild('DefaultPolicy')).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level scoping.',
      });
    }
  }
}

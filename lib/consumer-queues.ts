import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { skipCheckov } from './checkov';
import { eventPatternFor, QUEUE_RETENTION_SECONDS, QUEUE_TARGET_DELIVERY, QUEUES, visibilityTimeoutSeconds, type QueueSpec, type ResourceNames, type ScheduleSetting } from './topology';

export interface ConsumerQueuesProps {
  names: ResourceNames;
  bus: IEventBus;
  removalPolicy: RemovalPolicy;
  /** Period of each schedule that feeds scheduled queues, minutes. */
  scheduleEveryMinutes: Record<ScheduleSetting, number>;
}

export interface ConsumerQueue {
  spec: QueueSpec;
  queue: Queue;
  deadLetterQueue: Queue;
}

const delivery = (kind: keyof typeof QUEUE_TARGET_DELIVERY) => ({
  retryAttempts: QUEUE_TARGET_DELIVERY[kind].retryAttempts,
  maxEventAge: Duration.seconds(QUEUE_TARGET_DELIVERY[kind].maxEventAgeSeconds),
});

/** Every asynchronous consumer's buffer: EventBridge rule (an event pattern or a schedule) -> SQS queue with a DLQ. */
export class ConsumerQueues extends Construct {
  readonly byName = new Map<string, ConsumerQueue>();

  constructor(scope: Construct, id: string, props: ConsumerQueuesProps) {
    super(scope, id);
    for (const spec of QUEUES) {
      const common = {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: props.removalPolicy,
        ...(spec.fifo ? { fifo: true } : {}),
      };
      const deadLetterQueue = new Queue(this, `${spec.name}-dlq`, {
        ...common,
        queueName: props.names.deadLetterQueue(spec),
        retentionPeriod: Duration.seconds(QUEUE_RETENTION_SECONDS),
      });
      const queue = new Queue(this, spec.name, {
        ...common,
        queueName: props.names.queue(spec),
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(spec)),
        retentionPeriod: Duration.seconds(QUEUE_RETENTION_SECONDS),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
      });
      for (const encrypted of [queue, deadLetterQueue]) {
        skipCheckov(encrypted, { id: 'CKV_AWS_27', comment: 'Encrypted at rest with SQS managed SSE (SqsManagedSseEnabled), which this check does not recognise.' });
      }
      if (spec.subscribesTo.length > 0) {
        const rule = new Rule(this, `${spec.name}-rule`, {
          ruleName: props.names.rule(spec),
          eventBus: props.bus,
          description: `Routes ${spec.subscribesTo.join(', ')} to ${spec.name}`,
          eventPattern: { source: Match.prefix(eventPatternFor(spec).source[0]!.prefix), detailType: spec.subscribesTo },
        });
        rule.addTarget(new SqsQueue(queue, { deadLetterQueue, ...delivery('events') }));
      }
      if (spec.schedule) {
        const minutes = props.scheduleEveryMinutes[spec.schedule];
        // Schedules fire on the default bus; the queue receives the "Scheduled Event" itself.
        new Rule(this, `${spec.name}-schedule`, {
          ruleName: props.names.scheduleRule(spec),
          description: `Starts a ${spec.name} run every ${minutes} minutes`,
          schedule: Schedule.rate(Duration.minutes(minutes)),
          targets: [new SqsQueue(queue, { deadLetterQueue, ...delivery('schedule') })],
        });
      }
      this.byName.set(spec.name, { spec, queue, deadLetterQueue });
    }
  }
}

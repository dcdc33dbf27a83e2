import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueueName, eventPatternFor, QUEUES, queueName, visibilityTimeoutSeconds, type QueueSpec } from './topology';

export interface ConsumerQueuesProps {
  prefix: string;
  bus: IEventBus;
  removalPolicy: RemovalPolicy;
  /** Period of the schedule that feeds scheduled queues. */
  scheduleEveryMinutes: number;
}

export interface ConsumerQueue {
  spec: QueueSpec;
  queue: Queue;
  deadLetterQueue: Queue;
}

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
        queueName: deadLetterQueueName(props.prefix, spec),
        retentionPeriod: Duration.days(14),
      });
      const queue = new Queue(this, spec.name, {
        ...common,
        queueName: queueName(props.prefix, spec),
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(spec)),
        retentionPeriod: Duration.days(14),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
      });
      if (spec.subscribesTo.length > 0) {
        const rule = new Rule(this, `${spec.name}-rule`, {
          eventBus: props.bus,
          description: `Routes ${spec.subscribesTo.join(', ')} to ${spec.name}`,
          eventPattern: { source: Match.prefix(eventPatternFor(spec).source[0]!.prefix), detailType: spec.subscribesTo },
        });
        rule.addTarget(new SqsQueue(queue, { deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) }));
      }
      if (spec.scheduled) {
        // Schedules fire on the default bus; the queue receives the "Scheduled Event" itself.
        new Rule(this, `${spec.name}-schedule`, {
          description: `Starts a ${spec.name} run every ${props.scheduleEveryMinutes} minutes`,
          schedule: Schedule.rate(Duration.minutes(props.scheduleEveryMinutes)),
          targets: [new SqsQueue(queue, { deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(1) })],
        });
      }
      this.byName.set(spec.name, { spec, queue, deadLetterQueue });
    }
  }
}

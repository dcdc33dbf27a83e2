import { CreateTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateArchiveCommand, CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, PutSecretValueCommand, ResourceExistsException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { WEBHOOK_SOURCES } from '../functions/core/connectors/registry';
import {
  ARCHIVE_EVENT_PATTERN,
  eventPatternFor,
  QUEUE_RETENTION_SECONDS,
  QUEUE_TARGET_DELIVERY,
  QUEUES,
  resourceNames,
  TABLES,
  visibilityTimeoutSeconds,
  type QueueSpec,
  type ResourceNames,
  type ScheduleSetting,
  type TableName,
  type TableSpec,
} from '../lib/topology';
import type { WorkflowName } from '../lib/workflows';
import { enableWorkflowExecution, provisionWorkflows } from './workflows';

export interface LocalQueue {
  spec: QueueSpec;
  url: string;
  arn: string;
  deadLetterUrl: string;
  deadLetterArn: string;
}

export interface LocalResources {
  names: ResourceNames;
  busName: string;
  archiveName: string;
  tables: Record<TableName, string>;
  idempotencyTable: string;
  syncStateTable: string;
  coordinationTable: string;
  readModelTable: string;
  queues: Map<string, LocalQueue>;
  secretIdsBySource: Record<string, string>;
  /** State machine ARN per workflow, created from the same ASL files CDK deploys. */
  stateMachineArns: Record<WorkflowName, string>;
  /** Names of the secrets holding the ERP's and the service desk's credentials. */
  credentialSecrets: { erp: string; serviceDesk: string };
}

export interface ProvisionOptions {
  stage: string;
  /** Active signing secrets per source, newest first. */
  signingSecrets: Record<string, string[]>;
  /** Days the archive keeps events (the stage setting `archiveRetentionDays`; default 7). */
  archiveRetentionDays?: number;
  /**
   * Only for tests that crash a consumer on purpose and want its message back soon: overrides every
   * queue's visibility timeout, which is otherwise the topology's (six times the consumer's timeout).
   */
  visibilityTimeoutSeconds?: number;
  /** Period of each schedule rule (the stage settings `reconcileEveryMinutes`, `workflowSlaCheckEveryMinutes`; default 15). */
  scheduleEveryMinutes?: Partial<Record<ScheduleSetting, number>>;
  /** The emulator's endpoint: its Step Functions are switched to run executions. */
  emulatorEndpoint: string;
  /** The ERP's and the service desk's credentials, stored as their secrets (JSON); empty objects when not given. */
  credentials?: { erp: object; serviceDesk: object };
}

const ignoreExisting = async (create: () => Promise<unknown>) => {
  try {
    await create();
  } catch (error) {
    const name = (error as Error).name;
    if (error instanceof ResourceInUseException || error instanceof ResourceExistsException || /AlreadyExists|ResourceInUse/.test(name)) return;
    throw error;
  }
};

/** How an EventBridge target delivers to a queue, as CDK configures it (`QUEUE_TARGET_DELIVERY`). */
const queueTarget = (queue: { arn: string; deadLetterArn: string }, kind: keyof typeof QUEUE_TARGET_DELIVERY) => ({
  Id: 'queue',
  Arn: queue.arn,
  DeadLetterConfig: { Arn: queue.deadLetterArn },
  RetryPolicy: { MaximumRetryAttempts: QUEUE_TARGET_DELIVERY[kind].retryAttempts, MaximumEventAgeInSeconds: QUEUE_TARGET_DELIVERY[kind].maxEventAgeSeconds },
});

/**
 * Creates in the emulator the resources the CDK stack creates in AWS, from the same topology: the bus and
 * its archive, the tables with their keys and TTL, every queue with its DLQ, visibility, retention and
 * redrive policy, the rules with their targets' DLQ and retry policy, the signing secrets, and the
 * workflows' state machines (which the emulator then runs).
 */
/** A rate in the largest whole unit, as CDK's `Schedule.rate` writes it (`rate(1 hour)`, not `rate(60 minutes)`). */
const rateExpression = (minutes: number) => {
  const [amount, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `rate(${amount} ${unit}${amount === 1 ? '' : 's'})`;
};

export const provisionLocalResources = async (options: ProvisionOptions): Promise<LocalResources> => {
  const names = resourceNames(options.stage);
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  const events = new EventBridgeClient({});
  const secrets = new SecretsManagerClient({});

  const { busName, archiveName } = names;
  await ignoreExisting(() => events.send(new CreateEventBusCommand({ Name: busName })));
  const busArn = `arn:aws:events:${process.env.AWS_REGION}:${process.env.AWS_ACCOUNT_ID ?? '123456789012'}:event-bus/${busName}`;
  await ignoreExisting(() =>
    events.send(
      new CreateArchiveCommand({ ArchiveName: archiveName, EventSourceArn: busArn, EventPattern: JSON.stringify(ARCHIVE_EVENT_PATTERN), RetentionDays: options.archiveRetentionDays ?? 7 }),
    ),
  );

  const tables = {} as Record<TableName, string>;
  for (const [table, spec] of Object.entries(TABLES) as Array<[TableName, TableSpec]>) {
    const tableName = names.table(table);
    const keySchema = (keys: string[]) => keys.map((key, index) => ({ AttributeName: key, KeyType: index === 0 ? ('HASH' as const) : ('RANGE' as const) }));
    const keys = [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])];
    const indexKeys = (spec.indexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]);
    await ignoreExisting(() =>
      dynamodb.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...new Set([...keys, ...indexKeys])].map((key) => ({ AttributeName: key, AttributeType: 'S' as const })),
          KeySchema: keySchema(keys),
          ...(spec.indexes
            ? {
                GlobalSecondaryIndexes: spec.indexes.map((index) => ({
                  IndexName: index.name,
                  KeySchema: keySchema([index.partitionKey, index.sortKey]),
                  Projection: { ProjectionType: 'ALL' as const },
                })),
              }
            : {}),
        }),
      ),
    );
    if (spec.timeToLiveAttribute) {
      // moto records the setting but never expires items; an already enabled TTL answers an error.
      await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: spec.timeToLiveAttribute, Enabled: true } })).catch(() => undefined);
    }
    tables[table] = tableName;
  }

  const queues = new Map<string, LocalQueue>();
  const arnOf = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  for (const spec of QUEUES) {
    const fifo = spec.fifo ? { FifoQueue: 'true' } : {};
    const retention = { MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS) };
    const deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: names.deadLetterQueue(spec), Attributes: { ...retention, ...fifo } }))).QueueUrl!;
    const deadLetterArn = await arnOf(deadLetterUrl);
    const url = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: names.queue(spec),
          Attributes: {
            VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? visibilityTimeoutSeconds(spec)),
            ...retention,
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: spec.maxReceiveCount }),
            ...fifo,
          },
        }),
      )
    ).QueueUrl!;
    const queue = { spec, url, arn: await arnOf(url), deadLetterUrl, deadLetterArn };
    if (spec.subscribesTo.length > 0) {
      await events.send(new PutRuleCommand({ Name: names.rule(spec), EventBusName: busName, EventPattern: JSON.stringify(eventPatternFor(spec)), State: 'ENABLED' }));
      await events.send(new PutTargetsCommand({ Rule: names.rule(spec), EventBusName: busName, Targets: [queueTarget(queue, 'events')] }));
    }
    if (spec.schedule) {
      // Created like CDK's (default bus, the same target); the emulator never fires it, so the local
      // runtime's timer sends the same "Scheduled Event".
      const minutes = options.scheduleEveryMinutes?.[spec.schedule] ?? 15;
      await events.send(new PutRuleCommand({ Name: names.scheduleRule(spec), ScheduleExpression: rateExpression(minutes), State: 'ENABLED' }));
      await events.send(new PutTargetsCommand({ Rule: names.scheduleRule(spec), Targets: [queueTarget(queue, 'schedule')] }));
    }
    queues.set(spec.name, queue);
  }

  const putSecret = async (name: string, value: string) => {
    try {
      await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw error;
      await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    }
  };
  const secretIdsBySource: Record<string, string> = {};
  for (const source of WEBHOOK_SOURCES) {
    const name = `${names.prefix}/webhooks/${source}`;
    await putSecret(name, JSON.stringify(options.signingSecrets[source] ?? []));
    secretIdsBySource[source] = name;
  }
  const credentialSecrets = { erp: `${names.prefix}/erp-credentials`, serviceDesk: `${names.prefix}/service-desk-credentials` };
  await putSecret(credentialSecrets.erp, JSON.stringify(options.credentials?.erp ?? {}));
  await putSecret(credentialSecrets.serviceDesk, JSON.stringify(options.credentials?.serviceDesk ?? {}));

  await enableWorkflowExecution(options.emulatorEndpoint);
  const queueUrlOf = (consumer: QueueSpec['consumer']) => [...queues.values()].find((queue) => queue.spec.consumer === consumer)!.url;
  const stateMachines = await provisionWorkflows(new SFNClient({}), {
    prefix: names.prefix,
    substitutions: { WorkflowStepsQueueUrl: queueUrlOf('workflowSteps'), ErpCommandQueueUrl: queueUrlOf('erpDispatcher') },
  });

  return {
    names,
    busName,
    archiveName,
    tables,
    idempotencyTable: tables.idempotency,
    syncStateTable: tables.syncState,
    coordinationTable: tables.coordination,
    readModelTable: tables.readModels,
    queues,
    secretIdsBySource,
    credentialSecrets,
    stateMachineArns: Object.fromEntries(stateMachines) as Record<WorkflowName, string>,
  };
};

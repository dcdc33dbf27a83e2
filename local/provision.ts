import { CreateTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateArchiveCommand, CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, PutSecretValueCommand, ResourceExistsException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { WEBHOOK_SOURCES } from '../functions/core/connectors/registry';
import { deadLetterQueueName, eventPatternFor, QUEUES, queueName, type QueueSpec } from '../lib/topology';

export interface LocalQueue {
  spec: QueueSpec;
  url: string;
  arn: string;
  deadLetterUrl: string;
  deadLetterArn: string;
}

export interface LocalResources {
  prefix: string;
  busName: string;
  archiveName: string;
  idempotencyTable: string;
  syncStateTable: string;
  coordinationTable: string;
  readModelTable: string;
  queues: Map<string, LocalQueue>;
  secretIdsBySource: Record<string, string>;
}

export interface ProvisionOptions {
  prefix: string;
  /** Active signing secrets per source, newest first. */
  signingSecrets: Record<string, string[]>;
  /** Visibility timeout override for every queue (seconds). */
  visibilityTimeoutSeconds: number;
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

/** Creates in the emulator the resources the CDK stack creates in AWS, from the same topology. */
export const provisionLocalResources = async (options: ProvisionOptions): Promise<LocalResources> => {
  const { prefix } = options;
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  const events = new EventBridgeClient({});
  const secrets = new SecretsManagerClient({});

  const busName = `${prefix}-events`;
  const bus = await ignoreExisting(() => events.send(new CreateEventBusCommand({ Name: busName }))).then(() => busName);
  const busArn = `arn:aws:events:${process.env.AWS_REGION}:${process.env.AWS_ACCOUNT_ID ?? '123456789012'}:event-bus/${bus}`;
  const archiveName = `${busName}-archive`.slice(0, 48);
  await ignoreExisting(() =>
    events.send(new CreateArchiveCommand({ ArchiveName: archiveName, EventSourceArn: busArn, EventPattern: JSON.stringify({ source: [{ prefix: 'retail-sync.' }] }), RetentionDays: 7 })),
  );

  const idempotencyTable = `${prefix}-idempotency`;
  const syncStateTable = `${prefix}-sync-state`;
  const coordinationTable = `${prefix}-coordination`;
  const readModelTable = `${prefix}-read-models`;
  const tables: Array<[string, string, string?]> = [[idempotencyTable, 'id'], [syncStateTable, 'pk'], [coordinationTable, 'pk'], [readModelTable, 'pk', 'sk']];
  for (const [table, key, sortKey] of tables) {
    await ignoreExisting(() =>
      dynamodb.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }, ...(sortKey ? [{ AttributeName: sortKey, AttributeType: 'S' as const }] : [])],
          KeySchema: [{ AttributeName: key, KeyType: 'HASH' }, ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : [])],
        }),
      ),
    );
  }
  await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: idempotencyTable, TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true } })).catch(() => undefined);

  const queues = new Map<string, LocalQueue>();
  const arnOf = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  for (const spec of QUEUES) {
    const fifo = spec.fifo ? { FifoQueue: 'true' } : {};
    const deadLetterUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: deadLetterQueueName(prefix, spec), Attributes: { MessageRetentionPeriod: '1209600', ...fifo } }))
    ).QueueUrl!;
    const deadLetterArn = await arnOf(deadLetterUrl);
    const url = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: queueName(prefix, spec),
          Attributes: {
            VisibilityTimeout: String(options.visibilityTimeoutSeconds),
            MessageRetentionPeriod: '1209600',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: spec.maxReceiveCount }),
            ...fifo,
          },
        }),
      )
    ).QueueUrl!;
    const arn = await arnOf(url);
    if (spec.subscribesTo.length > 0) {
      const ruleName = `${prefix}-${spec.name}`;
      await events.send(new PutRuleCommand({ Name: ruleName, EventBusName: busName, EventPattern: JSON.stringify(eventPatternFor(spec)), State: 'ENABLED' }));
      await events.send(new PutTargetsCommand({ Rule: ruleName, EventBusName: busName, Targets: [{ Id: 'queue', Arn: arn }] }));
    }
    queues.set(spec.name, { spec, url, arn, deadLetterUrl, deadLetterArn });
  }

  const secretIdsBySource: Record<string, string> = {};
  for (const source of WEBHOOK_SOURCES) {
    const name = `${prefix}/webhooks/${source}`;
    const value = JSON.stringify(options.signingSecrets[source] ?? []);
    try {
      await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw error;
      await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    }
    secretIdsBySource[source] = name;
  }

  return { prefix, busName, archiveName, idempotencyTable, syncStateTable, coordinationTable, readModelTable, queues, secretIdsBySource };
};

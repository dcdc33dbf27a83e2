import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeArchiveCommand, DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readStageConfig } from '../../../lib/config';
import { RetailSyncStack } from '../../../lib/retail-sync-stack';
import { provisionLocalResources } from '../../../local/provision';
import { uniqueStage, useEmulator } from '../../support/emulator';
import cdkJson from '../../../cdk.json';

type Resource = { Properties: Record<string, unknown> };

/**
 * The local stack must be the deployed stack in miniature: every table, queue, rule and the archive it
 * creates in the emulator is compared, property by property, with the synthesized template of the same
 * stage. Names of other resources (ARNs, logical ids) are resolved to the names both sides share.
 */
describe('local resources match the synthesized template', () => {
  const stage = uniqueStage('parity');
  const config = { ...readStageConfig(cdkJson.context), stage };
  // Bundling is skipped: only the template is read.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(new RetailSyncStack(app, 'Parity', { config, env: { account: '123456789012', region: 'us-east-1' } }));
  const resources = (type: string) => Object.entries(template.findResources(type)) as Array<[string, Resource]>;
  const queueNameByLogicalId = new Map(resources('AWS::SQS::Queue').map(([id, queue]) => [id, queue.Properties.QueueName as string]));
  /** A template ARN (`Fn::GetAtt [id, Arn]`) or an emulator ARN, as the queue's name. */
  const queueNameOf = (arn: unknown) =>
    typeof arn === 'string' ? arn.split(':').pop()! : queueNameByLogicalId.get((arn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0])!;

  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let events: EventBridgeClient;
  let sfn: SFNClient;

  beforeAll(async () => {
    // Prepare
    const emulatorEndpoint = useEmulator();
    sqs = new SQSClient({});
    dynamodb = new DynamoDBClient({});
    events = new EventBridgeClient({});
    sfn = new SFNClient({});
    // Act
    await provisionLocalResources({ stage, signingSecrets: {}, archiveRetentionDays: config.archiveRetentionDays, scheduleEveryMinutes: config, emulatorEndpoint });
  });

  afterAll(() => [sqs, dynamodb, events, sfn].forEach((client) => client.destroy()));

  it('creates every table with the same keys and time to live', async () => {
    for (const [, table] of resources('AWS::DynamoDB::Table')) {
      const { TableName, KeySchema, TimeToLiveSpecification, GlobalSecondaryIndexes = [] } = table.Properties as {
        TableName: string;
        KeySchema: unknown;
        TimeToLiveSpecification?: { AttributeName: string };
        GlobalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: unknown; Projection: { ProjectionType: string } }>;
      };
      // Act
      const local = (await dynamodb.send(new DescribeTableCommand({ TableName }))).Table!;
      const ttl = (await dynamodb.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription;
      // Assess
      expect({ TableName, KeySchema: local.KeySchema }).toEqual({ TableName, KeySchema });
      const indexes = (local.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema: keys, Projection }) => ({ IndexName, KeySchema: keys, Projection: { ProjectionType: Projection?.ProjectionType } }));
      expect({ TableName, indexes }).toEqual({ TableName, indexes: GlobalSecondaryIndexes });
      expect({ TableName, ttl: ttl?.TimeToLiveStatus === 'ENABLED' ? ttl.AttributeName : undefined }).toEqual({ TableName, ttl: TimeToLiveSpecification?.AttributeName });
    }
  });

  it('creates every queue with the same type, visibility, retention and redrive policy', async () => {
    for (const [, queue] of resources('AWS::SQS::Queue')) {
      const expected = queue.Properties as { QueueName: string; FifoQueue?: boolean; VisibilityTimeout?: number; MessageRetentionPeriod?: number; RedrivePolicy?: { deadLetterTargetArn: unknown; maxReceiveCount: number } };
      // Act
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: expected.QueueName }));
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      const redrive = Attributes.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number | string }) : undefined;
      // Assess
      expect({
        name: expected.QueueName,
        fifo: Attributes.FifoQueue === 'true',
        visibility: Number(Attributes.VisibilityTimeout),
        retention: Number(Attributes.MessageRetentionPeriod),
        redrive: redrive && { deadLetterQueue: queueNameOf(redrive.deadLetterTargetArn), maxReceiveCount: Number(redrive.maxReceiveCount) },
      }).toEqual({
        name: expected.QueueName,
        fifo: expected.FifoQueue === true,
        // SQS's default visibility is 30 s when CDK does not set one (the DLQs).
        visibility: expected.VisibilityTimeout ?? 30,
        retention: expected.MessageRetentionPeriod,
        redrive: expected.RedrivePolicy && { deadLetterQueue: queueNameOf(expected.RedrivePolicy.deadLetterTargetArn), maxReceiveCount: expected.RedrivePolicy.maxReceiveCount },
      });
    }
  });

  it('creates every rule with the same pattern or schedule, and targets delivering the same way', async () => {
    const rules = resources('AWS::Events::Rule');
    expect(rules.length).toBeGreaterThan(0);
    for (const [, rule] of rules) {
      const expected = rule.Properties as {
        Name: string;
        EventPattern?: unknown;
        ScheduleExpression?: string;
        EventBusName?: unknown;
        Targets: Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown }; RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number } }>;
      };
      const EventBusName = expected.EventBusName ? `retail-sync-${stage}-events` : undefined;
      // Act
      const local = await events.send(new DescribeRuleCommand({ Name: expected.Name, EventBusName }));
      const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: expected.Name, EventBusName }));
      // Assess
      expect({ name: expected.Name, pattern: local.EventPattern ? JSON.parse(local.EventPattern) : undefined, schedule: local.ScheduleExpression }).toEqual({
        name: expected.Name,
        pattern: expected.EventPattern,
        schedule: expected.ScheduleExpression,
      });
      const delivery = (target: { Arn?: unknown; DeadLetterConfig?: { Arn?: unknown }; RetryPolicy?: unknown }) => ({
        queue: queueNameOf(target.Arn),
        deadLetterQueue: queueNameOf(target.DeadLetterConfig?.Arn),
        retry: target.RetryPolicy,
      });
      expect(Targets.map(delivery)).toEqual(expected.Targets.map(delivery));
    }
  });

  it('creates every state machine from the same definition, its placeholders filled with the local queues', async () => {
    const machines = resources('AWS::StepFunctions::StateMachine');
    expect(machines.length).toBeGreaterThan(0);
    for (const [, machine] of machines) {
      const expected = machine.Properties as { StateMachineName: string; StateMachineType: string; DefinitionString: string; DefinitionSubstitutions: Record<string, { Ref: string }> };
      const arn = `arn:aws:states:${process.env.AWS_REGION}:${process.env.AWS_ACCOUNT_ID ?? '123456789012'}:stateMachine:${expected.StateMachineName}`;
      // Act
      const local = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      // Assess: the template's substitutions name queues (Ref gives the URL), filled with the same queues' local URLs.
      const localUrls = Object.fromEntries(
        await Promise.all(
          Object.entries(expected.DefinitionSubstitutions).map(async ([name, value]) => [name, (await sqs.send(new GetQueueUrlCommand({ QueueName: queueNameOf({ 'Fn::GetAtt': [value.Ref, 'Arn'] }) }))).QueueUrl!]),
        ),
      );
      expect({ type: local.type, definition: local.definition }).toEqual({
        type: expected.StateMachineType,
        definition: expected.DefinitionString.replace(/\$\{(\w+)\}/g, (_, name: string) => localUrls[name]!),
      });
    }
  });

  it('archives the same events for as long', async () => {
    const [[, archive]] = resources('AWS::Events::Archive') as [[string, Resource]];
    const expected = archive.Properties as { ArchiveName: string; EventPattern: unknown; RetentionDays: number };
    // Act
    const local = await events.send(new DescribeArchiveCommand({ ArchiveName: expected.ArchiveName }));
    // Assess
    expect({ pattern: JSON.parse(local.EventPattern!), retentionDays: local.RetentionDays }).toEqual({ pattern: expected.EventPattern, retentionDays: expected.RetentionDays });
  });
});

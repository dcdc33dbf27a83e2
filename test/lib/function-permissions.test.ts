import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readStageConfig } from '../../lib/config';
import { RetailSyncStack } from '../../lib/retail-sync-stack';
import { FUNCTIONS, type FunctionName } from '../../lib/topology';
import cdkJson from '../../cdk.json';

const PREFIX = 'retail-sync-dev-';

/** What a permission is on, by kind and name: `table sync-state`, `queue reconciler-dlq`, `secret retail-sync/dev/erp-credentials`, `*`. */
const resourceKind = (resources: Record<string, { Type: string; Properties: Record<string, unknown> }>, resource: unknown): string => {
  if (resource === '*') return '*';
  const json = JSON.stringify(resource);
  const secret = /:secret:([^"]+?)-\?{6}/.exec(json);
  if (secret) return `secret ${secret[1]}`;
  const id = /"(?:Ref|Fn::GetAtt)":\[?"(\w+)"/.exec(json)?.[1];
  const target = id ? resources[id] : undefined;
  if (!target) return `unknown ${json}`;
  const kind = { 'AWS::DynamoDB::Table': 'table', 'AWS::SQS::Queue': 'queue', 'AWS::Events::EventBus': 'bus', 'AWS::StepFunctions::StateMachine': 'state machine' }[target.Type] ?? target.Type;
  const { TableName, QueueName, StateMachineName, Name } = target.Properties as Record<string, string | undefined>;
  const name = String(TableName ?? QueueName ?? StateMachineName ?? Name).replace(PREFIX, '');
  return `${kind} ${name}${/"(\/index\/[^"]+)"/.exec(json)?.[1] ?? ''}`;
};

/** A condition as text, e.g. ` if events:source is retail-sync.erp | retail-sync.reconciler`. */
const conditionText = (condition: Record<string, Record<string, unknown>> | undefined) =>
  Object.entries(condition ?? {})
    .flatMap(([operator, keys]) => Object.entries(keys).map(([key, values]) => ` if ${key} ${operator === 'StringEquals' ? 'is' : operator} ${[values].flat().join(' | ')}`))
    .join('');

/** Every function's permissions from the template: `{ "<resource kind><condition>": [actions] }`, plus its managed policies. */
const permissionsByFunction = (template: Template) => {
  const resources = template.toJSON().Resources;
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  return Object.fromEntries(
    (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => {
      const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: PREFIX + name } }))[0]!;
      const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
      const statements = policies
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> }>);
      const allowed: Record<string, string[]> = {};
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const resource of [statement.Resource].flat()) {
          const key = resourceKind(resources, resource) + conditionText(statement.Condition);
          allowed[key] = [...new Set([...(allowed[key] ?? []), ...[statement.Action].flat()])].sort();
        }
      }
      const managed = (resources[roleId].Properties.ManagedPolicyArns ?? []).map((arn: unknown) => JSON.stringify(arn).match(/policy\/([\w/-]+)/)?.[1]);
      return [name, { ...allowed, managed }];
    }),
  );
};

// Every function may trace and write its own logs.
const EVERY_FUNCTION = { '*': ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], managed: ['service-role/AWSLambdaBasicExecutionRole'] };
/** A queue's consumer receives and deletes from it (event source mapping) and dead-letters to its DLQ itself. */
const consumes = (queue: string, deadLetterQueue = `${queue}-dlq`) => ({
  [`queue ${queue}`]: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
  [`queue ${deadLetterQueue}`]: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
});
const READS_SECRET = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
// Powertools idempotency deletes the record of a failed attempt so the retry runs.
const DELIVERY_LEDGER = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const COORDINATION = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const SYNC_STATE_WRITES = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];
const ANSWERS_TASKS = ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'];

/**
 * The allow-list: every permission each function has, by resource. A permission not listed here fails
 * the test until it is added, with the reason, where the function's need is granted (lib/handler-functions.ts).
 */
const ALLOWED: Record<FunctionName, Record<string, string[]>> = {
  webhookIngest: {
    ...EVERY_FUNCTION,
    'bus events if events:source is retail-sync.3pl | retail-sync.erp | retail-sync.service-desk | retail-sync.storefront': ['events:PutEvents'],
    'table idempotency': DELIVERY_LEDGER,
    'secret retail-sync/dev/webhooks/erp': READS_SECRET,
    'secret retail-sync/dev/webhooks/businesscentral': READS_SECRET,
    'secret retail-sync/dev/webhooks/3pl': READS_SECRET,
    'secret retail-sync/dev/webhooks/shopify': READS_SECRET,
    'secret retail-sync/dev/webhooks/zendesk': READS_SECRET,
  },
  orderSyncQuery: { ...EVERY_FUNCTION, 'table sync-state': ['dynamodb:GetItem'] },
  syncStateProjector: { ...EVERY_FUNCTION, ...consumes('sync-state-projector'), 'table sync-state': SYNC_STATE_WRITES },
  serviceDeskUpdater: {
    ...EVERY_FUNCTION,
    ...consumes('service-desk-updater'),
    'table sync-state': SYNC_STATE_WRITES,
    'secret retail-sync/dev/service-desk-credentials': READS_SECRET,
  },
  erpDispatcher: {
    ...EVERY_FUNCTION,
    ...consumes('erp-commands.fifo', 'erp-commands-dlq.fifo'),
    'table coordination': COORDINATION,
    'secret retail-sync/dev/erp-credentials': READS_SECRET,
    'state machine refund-or-replacement': ANSWERS_TASKS,
  },
  readModelProjector: {
    ...EVERY_FUNCTION,
    ...consumes('read-models'),
    // A parked timeline entry is deleted once the order's customer is known.
    'table read-models': ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  },
  readApi: { ...EVERY_FUNCTION, 'table read-models': ['dynamodb:GetItem', 'dynamodb:Query'] },
  reconciler: {
    ...EVERY_FUNCTION,
    ...consumes('reconciler'),
    // A long run continues in a new message on its own queue.
    'queue reconciler': ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
    'bus events if events:source is retail-sync.erp | retail-sync.reconciler': ['events:PutEvents'],
    'table coordination': COORDINATION,
    // A page of orders read at once (by key) in bulk reconciliation.
    'table sync-state': ['dynamodb:BatchGetItem', ...SYNC_STATE_WRITES],
    'secret retail-sync/dev/erp-credentials': READS_SECRET,
    'secret retail-sync/dev/service-desk-credentials': READS_SECRET,
  },
  workflowSteps: {
    ...EVERY_FUNCTION,
    ...consumes('workflow-steps'),
    'bus events if events:source is retail-sync.workflows': ['events:PutEvents'],
    'table workflows': ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    'table workflows/index/by-state': ['dynamodb:Query'],
    'table coordination': COORDINATION,
    'state machine refund-or-replacement': [...ANSWERS_TASKS, 'states:StartExecution'],
    'secret retail-sync/dev/erp-credentials': READS_SECRET,
    'secret retail-sync/dev/service-desk-credentials': READS_SECRET,
  },
  workflowApi: {
    ...EVERY_FUNCTION,
    'table workflows': ['dynamodb:GetItem', 'dynamodb:Query'],
    'state machine refund-or-replacement': ['states:StartExecution'],
  },
  erpNotifications: {
    ...EVERY_FUNCTION,
    ...consumes('erp-notifications'),
    'bus events if events:source is retail-sync.erp': ['events:PutEvents'],
    'table idempotency': DELIVERY_LEDGER,
    'table coordination': COORDINATION,
    'secret retail-sync/dev/erp-credentials': READS_SECRET,
    'secret retail-sync/dev/webhooks/businesscentral': READS_SECRET,
  },
  health: { ...EVERY_FUNCTION },
};

describe('function permissions', () => {
  const synth = (addToStack: (stack: RetailSyncStack) => void = () => undefined) => {
    // Bundling is skipped: these tests read the template, not the code assets.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new RetailSyncStack(app, 'Permissions', { config: readStageConfig(cdkJson.context), env: { account: '123456789012', region: 'eu-west-1' } });
    addToStack(stack);
    return permissionsByFunction(Template.fromStack(stack));
  };
  const actual = synth();

  it.each(Object.keys(FUNCTIONS) as FunctionName[])('gives %s exactly the permissions on its allow-list', (name) => {
    // Assess
    expect(actual[name]).toEqual(ALLOWED[name]);
  });

  it('never lets a function scan a table, batch-read or -write, or read a stream, but the reconciler batch-read the sync state', () => {
    // Assess
    const actions = Object.entries(actual).flatMap(([name, allowed]) =>
      Object.entries(allowed).flatMap(([resource, granted]) => (granted as string[]).map((action) => `${name} ${resource} ${action}`)),
    );
    expect(actions.filter((action) => /dynamodb:(Scan|Batch|GetRecords|GetShardIterator|DescribeStream|ListStreams)/.test(action))).toEqual([
      'reconciler table sync-state dynamodb:BatchGetItem',
    ]);
  });

  it('fails a permission added to a function that its list does not name', () => {
    // Act
    const widened = synth((stack) => stack.tables.syncState.grantReadData(stack.functions.byName.get('orderSyncQuery')!));

    // Assess
    expect(() => expect(widened.orderSyncQuery).toEqual(ALLOWED.orderSyncQuery)).toThrow(/dynamodb:Scan/);
  });
});

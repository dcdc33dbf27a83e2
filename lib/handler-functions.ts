import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { dropImpliedRoleDependency, LOG_GROUP_WITHOUT_CMK, skipCheckov } from './checkov';
import { ENV } from '../functions/shared/environment';
import { reconcileSettingsOf, serviceDeskFieldIdsOf, type StageConfig } from './config';
import type { ConsumerQueues } from './consumer-queues';
import { loadResolutionPolicies, resolutionPoliciesVariable } from './resolution-policies';
import type { StateTables } from './state-tables';
import { consumedQueue, entryOf, environmentFor, FUNCTIONS, TABLES, type EnvironmentNeed, type FunctionName, type ResourceNeed, type ResourceNames, type TableName } from './topology';
import type { WorkflowStateMachines } from './workflow-state-machines';

const PROJECT_ROOT = path.join(__dirname, '..');
/** The product's version (package.json), which the health check reports. */
const PRODUCT_VERSION = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const WORKFLOWS_BY_STATE_INDEX = TABLES.workflows.indexes![0]!.name;
const WORKFLOW_ITEM_READS = ['dynamodb:GetItem', 'dynamodb:Query'];
const WORKFLOW_ITEM_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/**
 * Item access to the table alone: functions read workflows by key; listing by state is its own need
 * (the SLA check's), granted on that index only, not on `<table>/index/*` as `grantReadData` would.
 */
const grantItems = (table: Table, fn: NodejsFunction, actions: string[]) => Grant.addToPrincipal({ grantee: fn, actions, resourceArns: [table.tableArn] });

/**
 * The item actions each table need allows: what the function's store sends, never Scan or stream reads
 * (which grantReadData/grantReadWriteData would add), batch reads only for the reconciler's page of
 * orders, and DeleteItem only where a store deletes.
 */
const TABLE_ACCESS: Partial<Record<ResourceNeed, [TableName, string[]]>> = {
  // Powertools idempotency deletes the record of an attempt that failed, so the sender's retry runs.
  'idempotencyTable:readWrite': ['idempotency', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']],
  'syncStateTable:read': ['syncState', ['dynamodb:GetItem']],
  // Each side is written by a version-guarded UpdateItem.
  'syncStateTable:readWrite': ['syncState', ['dynamodb:GetItem', 'dynamodb:UpdateItem']],
  // The reconciler alone reads a page of orders at once (BatchGetItem, by key: still no Scan).
  'syncStateTable:reconcile': ['syncState', ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem']],
  // Rate budget, breaker, command ledger, reconcile runs (a slice is a transaction of a Put and an Update).
  'coordinationTable:readWrite': ['coordination', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
  'readModelTable:read': ['readModels', ['dynamodb:GetItem', 'dynamodb:Query']],
  // A parked timeline entry is deleted once the order's customer is known.
  'readModelTable:readWrite': ['readModels', ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem']],
  'workflowTable:read': ['workflows', WORKFLOW_ITEM_READS],
  'workflowTable:readWrite': ['workflows', [...WORKFLOW_ITEM_READS, ...WORKFLOW_ITEM_WRITES]],
};

export interface HandlerFunctionsProps {
  config: StageConfig;
  names: ResourceNames;
  bus: IEventBus;
  tables: StateTables;
  queues: ConsumerQueues;
  workflows: WorkflowStateMachines;
  removalPolicy: RemovalPolicy;
  /** `POST /v1/webhooks/businesscentral` of the stage's API (a lazy token: the API is built after the functions). */
  businessCentralNotificationUrl: string;
}

/** One Lambda per entry of the topology, with exactly the access and environment its needs name. */
export class HandlerFunctions extends Construct {
  readonly byName = new Map<FunctionName, NodejsFunction>();

  constructor(scope: Construct, id: string, props: HandlerFunctionsProps) {
    super(scope, id);
    const { config, tables, bus, queues, workflows } = props;
    const stateMachines = [...workflows.byName.values()];
    const erpCredentials = Secret.fromSecretNameV2(this, 'ErpCredentials', config.erpCredentialsSecretName);
    const serviceDeskCredentials = Secret.fromSecretNameV2(this, 'ServiceDeskCredentials', config.serviceDeskCredentialsSecretName);
    const secrets = Object.fromEntries(
      Object.entries(config.webhookSecretNames).map(([source, name]) => [source, Secret.fromSecretNameV2(this, `WebhookSecret-${source}`, name)]),
    );

    const valueOf: Record<EnvironmentNeed, string> = {
      'eventBus:put': bus.eventBusName,
      'idempotencyTable:readWrite': tables.idempotency.tableName,
      'syncStateTable:read': tables.syncState.tableName,
      'syncStateTable:readWrite': tables.syncState.tableName,
      'syncStateTable:reconcile': tables.syncState.tableName,
      'webhookSecrets:read': JSON.stringify(config.webhookSecretNames),
      'coordinationTable:readWrite': tables.coordination.tableName,
      'erpRateBudget:read': String(config.erpRequestsPerSecond),
      'erpPriorityShare:read': String(config.erpPriorityShare),
      'erpSendMargin:read': String(config.erpSendMarginMs),
      'readModelTable:read': tables.readModels.tableName,
      'readModelTable:readWrite': tables.readModels.tableName,
      'inventoryStaleness:read': String(config.inventoryStaleAfterSeconds),
      'zendeskSettings:read': JSON.stringify({ orderFieldId: String(config.zendeskOrderFieldId), orderTagPrefix: config.zendeskOrderTagPrefix }),
      'erp:call': config.erpBaseUrl,
      'erpCredentials:read': config.erpCredentialsSecretName,
      'serviceDesk:call': config.serviceDeskBaseUrl,
      'serviceDeskCredentials:read': config.serviceDeskCredentialsSecretName,
      'reconcileSettings:read': JSON.stringify(reconcileSettingsOf(config)),
      'workflowTable:read': tables.workflows.tableName,
      'workflowTable:readWrite': tables.workflows.tableName,
      'workflowTable:listByState': tables.workflows.tableName,
      'workflows:start': JSON.stringify(Object.fromEntries([...workflows.byName].map(([name, machine]) => [name, machine.stateMachineArn]))),
      'resolutionPolicies:read': resolutionPoliciesVariable(loadResolutionPolicies()),
      'erpSubscriptions:keep': JSON.stringify({
        notificationUrl: props.businessCentralNotificationUrl,
        ...(secrets.businesscentral ? { clientStateSecretId: config.webhookSecretNames.businesscentral } : {}),
      }),
    };

    for (const [name, spec] of Object.entries(FUNCTIONS) as Array<[FunctionName, (typeof FUNCTIONS)[FunctionName]]>) {
      const logGroup = new LogGroup(this, `${name}-logs`, {
        logGroupName: `/aws/lambda/${props.names.function(name)}`,
        retention: config.logRetentionDays as RetentionDays,
        removalPolicy: props.removalPolicy,
      });
      skipCheckov(logGroup, LOG_GROUP_WITHOUT_CMK);
      const queueSpec = consumedQueue(name);
      const consumed = queueSpec ? queues.byName.get(queueSpec.name)! : undefined;
      const environment = environmentFor(
        name,
        valueOf,
        consumed ? { queueUrl: consumed.queue.queueUrl, deadLetterQueueUrl: consumed.deadLetterQueue.queueUrl } : undefined,
        { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_LOG_LEVEL: 'INFO', STAGE: config.stage, [ENV.productVersion]: PRODUCT_VERSION },
      );
      if (spec.needs.includes('serviceDesk:call')) environment[ENV.serviceDeskFieldIds] = JSON.stringify(serviceDeskFieldIdsOf(config));
      if (spec.needs.includes('erp:call') && config.erpOrderStatusMap) environment[ENV.erpOrderStatusMap] = JSON.stringify(config.erpOrderStatusMap);

      const fn = new NodejsFunction(this, name, {
        functionName: props.names.function(name),
        description: spec.description,
        entry: path.join(PROJECT_ROOT, entryOf(name)),
        depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
        projectRoot: PROJECT_ROOT,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: spec.memoryMb,
        reservedConcurrentExecutions: spec.reservedConcurrency ? config[spec.reservedConcurrency] : undefined,
        timeout: Duration.seconds(spec.timeoutSeconds),
        tracing: Tracing.ACTIVE,
        logGroup,
        environment,
        bundling: {
          minify: true,
          sourceMap: true,
          // Stack traces need only the mappings; the sources' text made each map about 4 times larger, and
          // Node.js reads and parses the whole map at load under --enable-source-maps (`npm run bench:coldstart`).
          sourcesContent: false,
          format: OutputFormat.CJS,
          target: 'node22',
          // The Node.js 22 runtime ships AWS SDK v3.
          externalModules: ['@aws-sdk/*'],
        },
      });

      skipCheckov(
        fn,
        {
          id: 'CKV_AWS_116',
          comment: queueSpec
            ? 'Invoked by an SQS event source mapping: failed messages go to the queue\'s own DLQ; a Lambda DLQ serves asynchronous invocations only.'
            : 'Invoked synchronously (API Gateway): the caller gets the error; there is no asynchronous event to dead-letter.',
        },
        { id: 'CKV_AWS_117', comment: 'Calls SaaS APIs (Business Central, Zendesk) and AWS service endpoints only: no private resource a VPC would reach.' },
        {
          id: 'CKV_AWS_115',
          comment: 'Bounded by its event source mapping (MaximumConcurrency) or API throttling; reserved concurrency would take from the account pool of other workloads.',
        },
        { id: 'CKV_AWS_173', comment: 'Environment holds names, URLs and settings only, no secrets (read from Secrets Manager); Lambda encrypts it at rest with its AWS managed key.' },
      );
      dropImpliedRoleDependency(fn.node.defaultChild as CfnResource, fn.role!.node.findChild('DefaultPolicy'));

      for (const need of spec.needs) {
        const tableAccess = TABLE_ACCESS[need];
        if (tableAccess) grantItems(tables.byName[tableAccess[0]], fn, tableAccess[1]);
        if (need === 'eventBus:put') {
          if (!spec.publishesAs?.length) throw new Error(`${name} needs eventBus:put but names no event source it publishes as (publishesAs)`);
          fn.addToRolePolicy(
            new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn], conditions: { StringEquals: { 'events:source': spec.publishesAs } } }),
          );
        }
        if (need === 'webhookSecrets:read') Object.values(secrets).forEach((secret) => secret.grantRead(fn));
        if (need === 'erpCredentials:read') erpCredentials.grantRead(fn);
        if (need === 'erpSubscriptions:keep') secrets.businesscentral?.grantRead(fn);
        if (need === 'serviceDeskCredentials:read') serviceDeskCredentials.grantRead(fn);
        if (need === 'workflowTable:listByState') {
          Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:Query'], resourceArns: [`${tables.workflows.tableArn}/index/${WORKFLOWS_BY_STATE_INDEX}`] });
        }
        if (need === 'workflows:start') stateMachines.forEach((machine) => machine.grantStartExecution(fn));
        if (need === 'workflows:answerTasks') stateMachines.forEach((machine) => machine.grantTaskResponse(fn));
      }

      if (queueSpec && consumed) {
        const { queue, deadLetterQueue } = consumed;
        deadLetterQueue.grantSendMessages(fn);
        // A reconciliation run continues in a new message on its own queue.
        if (queueSpec.selfFeeding) queue.grantSendMessages(fn);
        fn.addEventSource(
          new SqsEventSource(queue, {
            batchSize: queueSpec.batchSize,
            reportBatchItemFailures: true,
            maxConcurrency: queueSpec.maxConcurrency ? config[queueSpec.maxConcurrency] : undefined,
          }),
        );
      }
      this.byName.set(name, fn);
    }
  }
}

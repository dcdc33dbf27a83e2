import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStageConfig, StageConfigError, type StageConfig } from '../../lib/config';
import { FIREWALL_PROBLEMS, gatewayProblem } from '../../lib/gateway-problems';
import { RetailSyncStack } from '../../lib/retail-sync-stack';
import { FUNCTIONS, QUEUES, resourceNames, ROUTES, visibilityTimeoutSeconds } from '../../lib/topology';
import cdkJson from '../../cdk.json';

const config = (overrides: Partial<StageConfig> = {}): StageConfig =>
  ({ ...readStageConfig(cdkJson.context), ...overrides }) as StageConfig;

const synth = (overrides: Partial<StageConfig> = {}) => {
  // Bundling is skipped: these tests read the template, not the code assets.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RetailSyncStack(app, 'Test', { config: config(overrides), env: { account: '123456789012', region: 'eu-west-1' } });
  return { app, stack, template: Template.fromStack(stack) };
};

const ref = (template: Template, type: string, props: Record<string, unknown>) => {
  const found = template.findResources(type, { Properties: Match.objectLike(props) });
  const ids = Object.keys(found);
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

describe('RetailSyncStack', () => {
  const { template } = synth();
  const prefix = 'retail-sync-dev';

  it('has a custom bus whose archive keeps every canonical event', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::EventBus', { Name: `${prefix}-events` });
    template.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { source: [{ prefix: 'retail-sync.' }] },
      RetentionDays: 90,
    });
  });

  it('keeps idempotency records and sync state in encrypted, recoverable, on-demand tables', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `${prefix}-idempotency`,
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `${prefix}-sync-state`,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('retains data, with deletion protection, in prod', () => {
    // Act
    const tables = Object.values(synth({ stage: 'prod' }).template.findResources('AWS::DynamoDB::Table'));
    // Assess
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('deletes data with the stack in other stages', () => {
    // Act
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    // Assess
    for (const table of tables) expect(table.DeletionPolicy).toBe('Delete');
  });

  it.each(QUEUES.map((queue) => [queue.name, queue] as const))('gives queue %s a DLQ, a batch-failure-reporting event source and its rule', (_name, spec) => {
    // Act
    const dlqId = ref(template, 'AWS::SQS::Queue', { QueueName: resourceNames('dev').deadLetterQueue(spec) });
    const queueId = ref(template, 'AWS::SQS::Queue', {
      QueueName: resourceNames('dev').queue(spec),
      VisibilityTimeout: visibilityTimeoutSeconds(spec),
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: spec.maxReceiveCount },
    });
    const functionId = ref(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}-${spec.consumer}` });
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: functionId },
      BatchSize: spec.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ...(spec.maxConcurrency ? { ScalingConfig: { MaximumConcurrency: config()[spec.maxConcurrency] } } : {}),
    });
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })]) },
    });
    const patternRules = Object.values(rules).filter((rule) => rule.Properties.EventPattern);
    const scheduleRules = Object.values(rules).filter((rule) => rule.Properties.ScheduleExpression);
    expect(scheduleRules).toHaveLength(spec.schedule ? 1 : 0);
    if (spec.subscribesTo.length === 0) {
      expect(patternRules).toHaveLength(0);
    } else {
      const [rule] = patternRules;
      expect(rule.Properties.EventPattern).toEqual({ source: [{ prefix: 'retail-sync.' }], 'detail-type': spec.subscribesTo });
      expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    }
  });

  it('gives every queue in the template a DLQ, except the DLQs themselves', () => {
    // Act
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    const dlqs = queues.filter((queue) => /-dlq(\.fifo)?$/.test(String(queue.Properties.QueueName)));
    // Assess
    expect(queues.length).toBe(QUEUES.length * 2);
    for (const queue of queues.filter((q) => !dlqs.includes(q))) expect(queue.Properties.RedrivePolicy).toBeDefined();
  });

  it('starts a reconciliation run on a schedule: a rule on the default bus sends to the reconciler queue', () => {
    // Act
    const queueId = Object.keys(template.findResources('AWS::SQS::Queue', { Properties: Match.objectLike({ QueueName: `${prefix}-reconciler` }) }))[0]!;
    const dlqId = Object.keys(template.findResources('AWS::SQS::Queue', { Properties: Match.objectLike({ QueueName: `${prefix}-reconciler-dlq` }) }))[0]!;
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      EventBusName: Match.absent(),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } } })],
    });
    synth({ reconcileEveryMinutes: 5 }).template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('gives the reconciler its settings, ERP and service-desk access, and lets it continue a run on its own queue', () => {
    // Prepare
    const functionId = ref(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}-reconciler` });
    const fn = template.toJSON().Resources[functionId];
    const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
    const queueId = ref(template, 'AWS::SQS::Queue', { QueueName: `${prefix}-reconciler` });
    const tableId = (name: string) => ref(template, 'AWS::DynamoDB::Table', { TableName: `${prefix}-${name}` });

    // Act
    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    const statements: Array<{ Action: string | string[]; Resource: unknown }> = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const allows = (action: string, resource: unknown) =>
      statements.some((statement) => [statement.Action].flat().includes(action) && JSON.stringify([statement.Resource].flat()).includes(JSON.stringify(resource)));

    // Assess
    expect(JSON.parse(fn.Properties.Environment.Variables.RECONCILE_SETTINGS)).toEqual({
      lookbackSeconds: 7200,
      graceSeconds: 300,
      maxOrdersPerInvocation: 5000,
      maxSliceSeconds: 240,
      maxRepairsPerRun: 500,
      serviceDeskReadsPerSecond: 2,
      serviceDeskExportRequestsPerMinute: 10,
    });
    for (const name of ['ERP_BASE_URL', 'SERVICE_DESK_BASE_URL', 'EVENT_BUS_NAME', 'SYNC_STATE_TABLE_NAME', 'COORDINATION_TABLE_NAME', 'QUEUE_URL']) {
      expect(fn.Properties.Environment.Variables[name]).toBeDefined();
    }
    expect(allows('sqs:SendMessage', { 'Fn::GetAtt': [queueId, 'Arn'] })).toBe(true);
    expect(allows('events:PutEvents', { 'Fn::GetAtt': [ref(template, 'AWS::Events::EventBus', { Name: `${prefix}-events` }), 'Arn'] })).toBe(true);
    expect(allows('dynamodb:GetItem', { 'Fn::GetAtt': [tableId('sync-state'), 'Arn'] })).toBe(true);
    // It reads the sync state of a page of orders in batches.
    expect(allows('dynamodb:BatchGetItem', { 'Fn::GetAtt': [tableId('sync-state'), 'Arn'] })).toBe(true);
    // It records what it read the cases to show (the desk side's verification) on the sync state.
    expect(allows('dynamodb:UpdateItem', { 'Fn::GetAtt': [tableId('sync-state'), 'Arn'] })).toBe(true);
    expect(allows('dynamodb:UpdateItem', { 'Fn::GetAtt': [tableId('coordination'), 'Arn'] })).toBe(true);
    // One run request per invocation, from its own queue.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: functionId },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('deploys the workflows: their state machines, table, step worker and API, each with only the access it needs', () => {
    // Prepare
    const resources = template.toJSON().Resources;
    const machineId = ref(template, 'AWS::StepFunctions::StateMachine', { StateMachineName: `${prefix}-refund-or-replacement` });
    const tableId = ref(template, 'AWS::DynamoDB::Table', { TableName: `${prefix}-workflows` });
    const statementsOf = (functionName: string) => {
      const roleId: string = resources[ref(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}-${functionName}` })].Properties.Role['Fn::GetAtt'][0];
      return Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
      );
    };
    const allows = (functionName: string, action: string, resource: unknown) =>
      statementsOf(functionName).some((statement) => [statement.Action].flat().includes(action) && JSON.stringify([statement.Resource].flat()).includes(JSON.stringify(resource)));
    const machine = { Ref: machineId };
    const table = { 'Fn::GetAtt': [tableId, 'Arn'] };

    // Assess
    expect(resources[machineId].Properties.DefinitionSubstitutions).toEqual({
      WorkflowStepsQueueUrl: { Ref: ref(template, 'AWS::SQS::Queue', { QueueName: `${prefix}-workflow-steps` }) },
      ErpCommandQueueUrl: { Ref: ref(template, 'AWS::SQS::Queue', { QueueName: `${prefix}-erp-commands.fifo` }) },
    });
    expect(resources[tableId].Properties.GlobalSecondaryIndexes).toEqual([
      { IndexName: 'by-state', KeySchema: [{ AttributeName: 'stateKey', KeyType: 'HASH' }, { AttributeName: 'updatedAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
    ]);
    // The ERP dispatcher and the step worker answer task tokens; the API and the worker start workflows.
    expect(allows('erpDispatcher', 'states:SendTaskSuccess', machine)).toBe(true);
    expect(allows('workflowSteps', 'states:SendTaskFailure', machine)).toBe(true);
    expect(allows('workflowApi', 'states:StartExecution', machine)).toBe(true);
    expect(allows('workflowApi', 'states:SendTaskSuccess', machine)).toBe(false);
    expect(allows('workflowApi', 'dynamodb:Query', table)).toBe(true);
    expect(allows('workflowApi', 'dynamodb:PutItem', table)).toBe(false);
    expect(allows('workflowSteps', 'dynamodb:PutItem', table)).toBe(true);
    // Only the step worker (its SLA check) lists workflows by state, on that one index.
    expect(JSON.stringify(statementsOf('workflowSteps'))).toContain('/index/by-state');
    expect(JSON.stringify(statementsOf('workflowSteps'))).not.toContain('/index/*');
    expect(JSON.stringify(statementsOf('workflowApi'))).not.toContain('/index/');
    const api = resources[ref(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}-workflowSteps` })].Properties.Environment.Variables;
    expect(JSON.parse(api.RESOLUTION_POLICIES).map((policy: { name: string }) => policy.name)).toEqual(['eu', 'default']);
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: `${prefix}-workflow-steps`,
      EventPattern: { source: [{ prefix: 'retail-sync.' }], 'detail-type': ['return.received', 'shipment.exception', 'case.resolution.requested'] },
    });
  });

  it("lets exactly the functions that call the ERP or the service desk read that system's credential", () => {
    // Prepare
    const resources = template.toJSON().Resources;
    const reads = (functionName: string, secretName: string) => {
      const fn = resources[ref(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}-${functionName}` })];
      const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
      const statements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
      );
      return statements.some((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(statement.Resource).includes(`secret:${secretName}-`));
    };
    const erpSecret = 'retail-sync/dev/erp-credentials';
    const deskSecret = 'retail-sync/dev/service-desk-credentials';

    // Assess
    const byFunction = Object.fromEntries(
      (['erpDispatcher', 'reconciler', 'workflowSteps', 'serviceDeskUpdater', 'workflowApi', 'webhookIngest'] as const).map((name) => [name, [reads(name, erpSecret), reads(name, deskSecret)]]),
    );
    expect(byFunction).toEqual({
      erpDispatcher: [true, false],
      reconciler: [true, true],
      workflowSteps: [true, true],
      serviceDeskUpdater: [false, true],
      workflowApi: [false, false],
      webhookIngest: [false, false],
    });
    const dispatcher = resources[ref(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}-erpDispatcher` })];
    expect(dispatcher.Properties.Environment.Variables.ERP_CREDENTIALS_SECRET).toBe(erpSecret);
  });

  it("gives the Business Central subscriptions the API's own notification URL and the businesscentral secret alone", () => {
    // Prepare
    const resources = template.toJSON().Resources;
    const fn = resources[ref(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}-erpNotifications` })];
    const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
    const secretReads = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'))
      .map((statement) => JSON.stringify(statement.Resource));

    // Assess
    const settings = JSON.stringify(fn.Properties.Environment.Variables.ERP_SUBSCRIPTIONS);
    expect(settings).toContain('/v1/webhooks/businesscentral');
    expect(settings).toContain(ref(template, 'AWS::ApiGateway::RestApi', {}));
    expect(settings).toContain('clientStateSecretId\\":\\"retail-sync/dev/webhooks/businesscentral');
    expect(secretReads.filter((resource) => resource.includes('webhooks/'))).toEqual([expect.stringContaining('webhooks/businesscentral-')]);
    template.hasResourceProperties('AWS::Events::Rule', { Name: `${prefix}-erp-notifications`, EventPattern: { source: [{ prefix: 'retail-sync.' }], 'detail-type': ['erp.resource.changed'] } });
  });

  it('sets the ERP dispatcher concurrency from configuration', () => {
    // Act
    const { template: limited } = synth({ erpMaxConcurrency: 7 });
    // Assess
    limited.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 7 } });
  });

  it('runs every function on nodejs22.x arm64 with tracing and its own log group', () => {
    // Assess
    for (const name of Object.keys(FUNCTIONS)) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `${prefix}-${name}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
      });
    }
  });

  it.each(ROUTES.map((route) => [route.method, route.path, route] as const))('serves %s %s, webhooks by signature and reads by IAM (the default)', (_method, _path, route) => {
    // Act
    const last = route.path.split('/').filter(Boolean).at(-1)!;
    const resourceIds = Object.keys(template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: last } }));
    // Assess
    expect(resourceIds).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: route.method,
      ResourceId: { Ref: resourceIds[0] },
      AuthorizationType: route.authorization === 'caller' ? 'AWS_IAM' : 'NONE',
      ApiKeyRequired: false,
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    expect(template.findResources('AWS::ApiGateway::UsagePlan')).toEqual({});
  });

  it('requires an API key of the stage\'s usage plan on the read and process routes when the stage says apiKey', () => {
    // Act
    const { template: keyed } = synth({ readApiAuth: 'apiKey' });
    const methods = Object.values(keyed.findResources('AWS::ApiGateway::Method')).map((method) => method.Properties);
    const plan = Object.values(keyed.findResources('AWS::ApiGateway::UsagePlan'));
    const keys = Object.values(keyed.findResources('AWS::ApiGateway::ApiKey'));

    // Assess: every caller route wants a key and no signature; webhooks and health want neither.
    expect(methods.filter((method) => method.ApiKeyRequired).length).toBe(ROUTES.filter((route) => route.authorization === 'caller').length);
    for (const method of methods) expect(method.AuthorizationType).toBe('NONE');
    expect(plan).toHaveLength(1);
    expect(plan[0]!.Properties).toMatchObject({ UsagePlanName: `${prefix}-readers`, ApiStages: [expect.objectContaining({ Stage: expect.anything() })] });
    expect(keys).toHaveLength(1);
    expect(keys[0]!.Properties).toMatchObject({ Name: `${prefix}-support-tools`, Enabled: true });
    expect(keys[0]!.Properties.Value).toBeUndefined();
    keyed.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
  });

  it('leaves only the webhooks (signed), the health check and the OpenAPI document open; every other route needs a known caller', () => {
    // Assess
    expect(ROUTES.filter((route) => route.authorization === 'none').map((route) => `${route.method} ${route.path}`)).toEqual(['GET /v1/health', 'GET /v1/openapi.json']);
    expect(ROUTES.filter((route) => route.authorization === 'signature').map((route) => route.path)).toEqual(['/v1/webhooks/{source}']);
    const health = template.toJSON().Resources[ref(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}-health` })];
    expect(Object.keys(health.Properties.Environment.Variables).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'RETAIL_SYNC_VERSION', 'STAGE']);
  });

  describe('gateway responses', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map((resource) => resource.Properties);
    /** Renders a gateway response template as API Gateway does: plain substitution of `$context` variables. */
    const render = (body: string) =>
      body
        .replace(/\$context\.error\.messageString/g, JSON.stringify('Missing "Authentication" Token'))
        .replace(/\$context\.error\.message/g, 'Missing Authentication Token')
        .replace(/\$context\.error\.responseType/g, 'MISSING_AUTHENTICATION_TOKEN');

    it('answers every gateway error as problem+json whose status is the number it is sent with', () => {
      // Prepare
      const types = responses.map((response) => response.ResponseType).sort();

      // Act
      const rendered = responses.map((response) => ({ response, problem: JSON.parse(render(response.ResponseTemplates['application/json'])) }));

      // Assess
      expect(types).toEqual(expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX', 'MISSING_AUTHENTICATION_TOKEN', 'THROTTLED', 'REQUEST_TOO_LARGE', 'ACCESS_DENIED']));
      for (const { response, problem } of rendered) {
        expect(response.ResponseParameters).toEqual({ 'gatewayresponse.header.content-type': "'application/problem+json'" });
        expect(problem).toEqual({ type: expect.stringMatching(/^https:\/\/retail-sync\.dev\/problems\//), title: expect.any(String), status: Number(response.StatusCode), detail: expect.any(String) });
      }
    });

    it("passes the gateway's own message through as the detail", () => {
      // Prepare
      const throttled = responses.find((response) => response.ResponseType === 'THROTTLED')!;

      // Act
      const problem = JSON.parse(render(throttled.ResponseTemplates['application/json']));

      // Assess
      expect(problem).toMatchObject({ status: 429, detail: 'Missing "Authentication" Token' });
    });

    it('answers an unknown route 404, not the 403 API Gateway answers by default', () => {
      // Prepare
      const unmatched = responses.find((response) => response.ResponseType === 'MISSING_AUTHENTICATION_TOKEN')!;

      // Act
      const problem = JSON.parse(render(unmatched.ResponseTemplates['application/json']));

      // Assess
      expect(unmatched.StatusCode).toBe('404');
      expect(problem).toEqual(gatewayProblem('MISSING_AUTHENTICATION_TOKEN'));
    });
  });

  it('lets the ingest function read the configured signing secret and publish to the bus', () => {
    // Act
    const ingest = template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: `${prefix}-webhookIngest` } });
    const environment = Object.values(ingest)[0]!.Properties.Environment.Variables;
    // Assess
    expect(JSON.parse(environment.WEBHOOK_SECRET_IDS)).toEqual(cdkJson.context.stages.dev.webhookSecretNames);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'events:PutEvents' }),
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] }),
        ]),
      },
    });
  });

  describe('web ACL', () => {
    const webAcl = () => Object.values(template.findResources('AWS::WAFv2::WebACL'))[0]!.Properties;
    const rule = (name: string) => (webAcl().Rules as Array<{ Name: string; Statement: Record<string, unknown>; Action: unknown }>).find((candidate) => candidate.Name === name);

    it('hands every body to the functions as the bytes sent (binary media types */*), so signatures are checked on them', () => {
      // Assess
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
    });

    it('protects the API stage', () => {
      // Assess
      expect(webAcl()).toMatchObject({ Name: `${prefix}-api-acl`, Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
      const association = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'));
      expect(association).toHaveLength(1);
      expect(JSON.stringify(association[0]!.Properties.ResourceArn)).toMatch(/restapis\/.*\/stages\/.*HttpApiDeploymentStage/);
    });

    it('refuses a Content-Length of 1,000,000 bytes or more with the 413 problem, before the 6 MB Lambda invoke limit', () => {
      // Prepare
      const sizeRule = rule('body-over-invoke-limit')!;

      // Act
      const body = JSON.parse(webAcl().CustomResponseBodies.bodyTooLarge.Content);

      // Assess
      expect(sizeRule.Statement).toEqual({
        SizeConstraintStatement: { FieldToMatch: { SingleHeader: { Name: 'content-length' } }, ComparisonOperator: 'GT', Size: 6, TextTransformations: [{ Priority: 0, Type: 'NONE' }] },
      });
      expect(sizeRule.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 413, CustomResponseBodyKey: 'bodyTooLarge' } } });
      expect(webAcl().CustomResponseBodies.bodyTooLarge.ContentType).toBe('APPLICATION_JSON');
      expect(body).toEqual(FIREWALL_PROBLEMS.bodyTooLarge);
    });

    it("blocks AWS's known bad inputs (Log4j lookups and the like) with its managed rule group", () => {
      // Assess
      expect(rule('known-bad-inputs')).toMatchObject({
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
        OverrideAction: { None: {} },
      });
    });
  });

  describe('limits', () => {
    const stageSettings = (stageTemplate: Template) => Object.values(stageTemplate.findResources('AWS::ApiGateway::Stage'))[0]!.Properties.MethodSettings as Array<Record<string, unknown>>;
    const rateRule = (stageTemplate: Template) =>
      (Object.values(stageTemplate.findResources('AWS::WAFv2::WebACL'))[0]!.Properties.Rules as Array<{ Name: string; Statement: { RateBasedStatement: Record<string, unknown> }; Action: unknown }>).find(
        (rule) => rule.Name === 'webhook-rate-per-ip',
      );

    it('throttles the webhook route apart from the read routes, with the defaults', () => {
      // Act
      const settings = stageSettings(template);

      // Assess
      expect(settings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
          expect.objectContaining({ HttpMethod: 'POST', ResourcePath: '/~1v1~1webhooks~1{source}', ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 }),
        ]),
      );
    });

    it('takes each throttling limit from the stage settings', () => {
      // Act
      const settings = stageSettings(synth({ webhookThrottleRatePerSecond: 40, webhookThrottleBurst: 80, readThrottleRatePerSecond: 7, readThrottleBurst: 9 }).template);

      // Assess
      expect(settings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ ResourcePath: '/*', ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 }),
          expect.objectContaining({ ResourcePath: '/~1v1~1webhooks~1{source}', ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 }),
        ]),
      );
    });

    it('has no WAF rate rule in dev by default', () => {
      // Assess
      expect(rateRule(template)).toBeUndefined();
    });

    it('limits webhook requests per source IP in prod by default, answering the 429 problem', () => {
      // Act
      const { template: prodTemplate } = synth({ stage: 'prod' });
      const rule = rateRule(prodTemplate)!;
      const acl = Object.values(prodTemplate.findResources('AWS::WAFv2::WebACL'))[0]!.Properties;

      // Assess
      expect(rule.Statement.RateBasedStatement).toEqual({
        Limit: 3000,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
        ScopeDownStatement: { ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: 'CONTAINS', SearchString: '/v1/webhooks/', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
      });
      expect(rule.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rateLimited' } } });
      expect(JSON.parse(acl.CustomResponseBodies.rateLimited.Content)).toEqual(FIREWALL_PROBLEMS.rateLimited);
    });

    it.each([
      ['turned on in dev', { webhookRateLimitPerIp: 200, webhookRateLimitWindowSeconds: 60 }, { Limit: 200, EvaluationWindowSec: 60 }],
      ['turned off in prod', { stage: 'prod', webhookRateLimitPerIp: 0 }, undefined],
    ])('follows the rate limit setting when %s', (_case, overrides, expected) => {
      // Act
      const rule = rateRule(synth(overrides as Partial<StageConfig>).template);

      // Assess
      expect(rule?.Statement.RateBasedStatement).toEqual(expected ? expect.objectContaining(expected) : undefined);
    });

    it('reserves concurrency for the ingest function alone, from the stage setting', () => {
      // Prepare
      const reserved = (stageTemplate: Template) =>
        Object.values(stageTemplate.findResources('AWS::Lambda::Function'))
          .filter((fn) => fn.Properties.ReservedConcurrentExecutions !== undefined)
          .map((fn) => [fn.Properties.FunctionName, fn.Properties.ReservedConcurrentExecutions]);

      // Act / Assess
      expect(reserved(template)).toEqual([[`${prefix}-webhookIngest`, 50]]);
      expect(reserved(synth({ ingestReservedConcurrency: 12 }).template)).toEqual([[`${prefix}-webhookIngest`, 12]]);
    });
  });
});

describe('checkov suppressions and template hygiene', () => {
  const resources = Object.entries(synth().template.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[]; Metadata?: { checkov?: { skip: Array<{ id: string; comment: string }> } } }>);

  it('gives every checkov skip a check id and a reason', () => {
    // Act
    const skips = resources.flatMap(([, resource]) => resource.Metadata?.checkov?.skip ?? []);

    // Assess
    expect(skips.length).toBeGreaterThan(0);
    for (const skip of skips) expect(skip).toEqual({ id: expect.stringMatching(/^CKV_AWS_\d+$/), comment: expect.stringMatching(/\w{3,}.*\.$/) });
  });

  it('leaves no DependsOn on a role that the resource already reads the ARN of (cfn-lint W3005)', () => {
    // Assess
    for (const [, resource] of resources.filter(([, r]) => ['AWS::Lambda::Function', 'AWS::StepFunctions::StateMachine'].includes(r.Type))) {
      expect(resource.DependsOn).toEqual([expect.stringMatching(/DefaultPolicy/)]);
    }
  });
});

describe('stage configuration', () => {
  it('names the bad context key', () => {
    // Act
    const read = () => readStageConfig({ ...cdkJson.context, erpBaseUrl: 'not a url' });
    // Assess
    expect(read).toThrow(/context "erpBaseUrl"/);
  });

  it.each([
    ['shorter than the schedule period', { reconcileEveryMinutes: 60, reconcileLookbackMinutes: 30 }, /reconcileLookbackMinutes.*must cover reconcileEveryMinutes/],
    ['that leaves no room for the grace period', { reconcileEveryMinutes: 60, reconcileLookbackMinutes: 62, reconcileGraceSeconds: 300 }, /plus reconcileGraceSeconds/],
  ])('refuses a reconciliation lookback %s', (_, settings, expected) => {
    // Act
    const read = () => readStageConfig({ ...cdkJson.context, ...settings });
    // Assess
    expect(read).toThrow(expected);
  });

  it.each([
    ['a WAF rate limit under 10', { webhookRateLimitPerIp: 5 }, /webhookRateLimitPerIp": at least 10/],
    ['a WAF window WAF does not have', { webhookRateLimitWindowSeconds: 90 }, /webhookRateLimitWindowSeconds": one of 60, 120, 300, 600/],
    ['no reserved concurrency', { ingestReservedConcurrency: 0 }, /ingestReservedConcurrency/],
  ])('refuses %s', (_, settings, expected) => {
    // Act
    const read = () => readStageConfig({ ...cdkJson.context, ...settings });
    // Assess
    expect(read).toThrow(expected);
  });

  it('accepts JSON given on the command line', () => {
    // Act
    const parsed = readStageConfig({ ...cdkJson.context, webhookSecretNames: '{"erp":"x"}' });
    // Assess
    expect(parsed.webhookSecretNames).toEqual({ erp: 'x' });
  });

  const prod = {
    erpBaseUrl: 'https://api.businesscentral.dynamics.com/v2.0/tenant/Production/api/v2.0/companies(1)',
    serviceDeskBaseUrl: 'https://acme.zendesk.com',
    erpRequestsPerSecond: 10,
    erpMaxConcurrency: 4,
    serviceDeskMaxConcurrency: 2,
    webhookSecretNames: { erp: 'retail-sync/prod/webhooks/erp', zendesk: 'retail-sync/prod/webhooks/zendesk' },
    erpCredentialsSecretName: 'retail-sync/prod/erp-credentials',
    serviceDeskCredentialsSecretName: 'retail-sync/prod/service-desk-credentials',
    zendeskOrderFieldId: 360001,
    zendeskOrderStatusFieldId: 360002,
    zendeskOrderVersionFieldId: 360003,
  };

  it('never lets another stage inherit the development settings', () => {
    // Act
    const read = () => readStageConfig({ ...cdkJson.context, stage: 'prod' });
    // Assess
    expect(read).toThrow('  - context "stages.prod": stage "prod" has no settings in cdk.json (configured: dev): add them there or give each with -c');
    expect(read).toThrow('  - context "erpBaseUrl": Invalid input: expected string, received undefined');
  });

  it('takes a stage given wholly on the command line', () => {
    // Act
    const config = readStageConfig({ ...cdkJson.context, stage: 'prod', ...prod, webhookSecretNames: JSON.stringify(prod.webhookSecretNames) });
    // Assess
    expect(config).toMatchObject({ stage: 'prod', serviceDeskBaseUrl: prod.serviceDeskBaseUrl, webhookSecretNames: prod.webhookSecretNames });
  });

  it("reads a stage's own settings, the command line over them", () => {
    // Act
    const config = readStageConfig({ ...cdkJson.context, stage: 'prod', stages: { ...cdkJson.context.stages, prod }, erpRequestsPerSecond: '12' });
    // Assess
    expect(config).toMatchObject({ stage: 'prod', erpBaseUrl: prod.erpBaseUrl, webhookSecretNames: prod.webhookSecretNames, erpRequestsPerSecond: 12 });
  });

  it.each(['0', '1', '1.5', 'much'])('refuses erpPriorityShare %s, naming the setting', (share) => {
    // Prepare
    const context = { ...cdkJson.context, erpPriorityShare: share };
    // Act
    const read = () => readStageConfig(context);
    // Assess
    expect(read).toThrow(StageConfigError);
    expect(read).toThrow('  - context "erpPriorityShare": ');
  });

  it('passes erpPriorityShare to every function that calls the ERP', () => {
    // Prepare
    const { template } = synth({ erpPriorityShare: 0.6 });
    // Act
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).map((resource) => resource.Properties.Environment?.Variables ?? {});
    const callers = functions.filter((variables) => variables.ERP_REQUESTS_PER_SECOND !== undefined);
    // Assess
    expect(callers.length).toBeGreaterThanOrEqual(4);
    for (const variables of callers) expect(variables.ERP_PRIORITY_SHARE).toBe('0.6');
  });

  it.each(['5', '1001', '12.5', 'wide'])('refuses erpSendMarginMs %s, naming the setting', (margin) => {
    // Prepare
    const context = { ...cdkJson.context, erpSendMarginMs: margin };
    // Act
    const read = () => readStageConfig(context);
    // Assess
    expect(read).toThrow(StageConfigError);
    expect(read).toThrow('  - context "erpSendMarginMs": ');
  });

  it.each([
    ['40, the default', {}, '40'],
    ['as set', { erpSendMarginMs: 100 }, '100'],
  ])('passes erpSendMarginMs to every function that calls the ERP: %s', (_name, settings, expected) => {
    // Prepare
    const { template } = synth(settings);
    // Act
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).map((resource) => resource.Properties.Environment?.Variables ?? {});
    const callers = functions.filter((variables) => variables.ERP_REQUESTS_PER_SECOND !== undefined);
    // Assess
    expect(callers.length).toBeGreaterThanOrEqual(4);
    for (const variables of callers) expect(variables.ERP_SEND_MARGIN_MS).toBe(expected);
  });

  it('refuses every unknown key, unknown source and placeholder host outside dev, one line each', () => {
    // Prepare
    const context = {
      ...cdkJson.context,
      stage: 'prod',
      stages: { prod: { ...prod, serviceDeskBaseUrl: 'https://example.zendesk.com', erpBaseUrl: 'https://erp.example.com/api', webhookSecretNames: { erp: 'x', 'returns-portal': 'y' }, erpRateLimit: 5 } },
      reconcileEveryMinuts: 5,
    };
    // Act
    const read = () => readStageConfig(context);
    // Assess
    expect(read).toThrow(StageConfigError);
    expect(read).toThrow(
      [
        'Invalid stage configuration:',
        '  - context "stages.prod.erpRateLimit": not a stage setting',
        '  - context "reconcileEveryMinuts": not a stage setting',
      ].join('\n'),
    );
    expect(read).toThrow('  - context "webhookSecretNames.returns-portal": not a webhook source; the sources are erp, businesscentral, 3pl, shopify, zendesk');
    expect(read).toThrow('  - context "erpBaseUrl": https://erp.example.com/api is a placeholder; stage "prod" must name its own system');
    expect(read).toThrow('  - context "serviceDeskBaseUrl": https://example.zendesk.com is a placeholder; stage "prod" must name its own system');
  });

  it('synthesizes a prod-like stage with no development value in its template', () => {
    // Prepare
    const config = readStageConfig({ ...cdkJson.context, stage: 'prod', stages: { prod } });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    // Act
    const synthesized = Template.fromStack(new RetailSyncStack(app, 'Prod', { config, env: { account: '123456789012', region: 'eu-west-1' } }));
    const template = JSON.stringify(synthesized.toJSON());
    // Assess
    expect(template).not.toMatch(/example\.(com|zendesk)|retail-sync-dev|retail-sync\/dev\/|900000\d/);
    expect(template).toContain('retail-sync-prod-events');
    const updater = Object.values(synthesized.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'retail-sync-prod-serviceDeskUpdater' } }))[0]!;
    expect(JSON.parse(updater.Properties.Environment.Variables.SERVICE_DESK_FIELD_IDS)).toEqual({ orderId: 360001, orderStatus: 360002, orderVersion: 360003 });
  });

  it("passes a stage's ERP status map to the functions that call the ERP, and refuses a map to no canonical status", () => {
    // Prepare
    const statusMap = { Open: 'confirmed', 'Open+fullyShipped': 'shipped', Released: 'picking' };
    const config = readStageConfig({ ...cdkJson.context, stage: 'prod', stages: { prod: { ...prod, erpOrderStatusMap: statusMap } } });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    // Act
    const synthesized = Template.fromStack(new RetailSyncStack(app, 'Prod', { config, env: { account: '123456789012', region: 'eu-west-1' } }));
    const bad = () => readStageConfig({ ...cdkJson.context, stage: 'prod', stages: { prod: { ...prod, erpOrderStatusMap: '{"Released":"on-hold"}' } } });
    // Assess
    const withMap = Object.values(synthesized.findResources('AWS::Lambda::Function'))
      .filter((fn) => fn.Properties.Environment?.Variables?.ERP_ORDER_STATUS_MAP)
      .map((fn) => fn.Properties.FunctionName as string)
      .sort();
    expect(withMap).toEqual(['retail-sync-prod-erpDispatcher', 'retail-sync-prod-erpNotifications', 'retail-sync-prod-reconciler', 'retail-sync-prod-workflowSteps']);
    expect(bad).toThrow(/context "erpOrderStatusMap.Released": Invalid option: expected one of "pending_review"/);
  });

  it("accepts CDK's own context keys (feature flags, cached lookups)", () => {
    // Act
    const config = readStageConfig({ ...cdkJson.context, 'availability-zones:account=1:region=eu-west-1': ['a'], 'aws:cdk:bundling-stacks': [] });
    // Assess
    expect(config.stage).toBe('dev');
  });
});

describe('cdk-nag AwsSolutions', () => {
  const synthWithNag = (addToStack: (stack: RetailSyncStack) => void = () => undefined) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new RetailSyncStack(app, 'Nag', { config: config(), env: { account: '123456789012', region: 'eu-west-1' } });
    addToStack(stack);
    return () => app.synth();
  };

  it('reports no unacknowledged finding', () => {
    // Prepare
    const synthesize = synthWithNag();

    // Act / Assess: synthesis throws ValidationFailed, listing the findings, when any is not acknowledged.
    expect(synthesize).not.toThrow();
  });

  it('reports no unacknowledged finding for a stage whose readers use API keys', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new RetailSyncStack(app, 'NagKeys', { config: config({ readApiAuth: 'apiKey' }), env: { account: '123456789012', region: 'eu-west-1' } });

    // Act / Assess
    expect(() => app.synth()).not.toThrow();
  });

  it('still reports a wildcard permission added anywhere else', () => {
    // Prepare
    const synthesize = synthWithNag((stack) => {
      const role = new Role(stack, 'Newcomer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    });

    // Act / Assess
    expect(synthesize).toThrow(/Nag\/Newcomer\/DefaultPolicy\/Resource[^\n]*\n\s*Acknowledge with 'AwsSolutions::AwsSolutions-IAM5\[Resource::\*\]'/);
  });

  it('acknowledges the wildcard only where it is X-Ray or log delivery, as the reasons say', () => {
    // Prepare
    const { template } = synth();
    const wildcardActionsOf = (policyIdPattern: RegExp) =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([id]) => policyIdPattern.test(id))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
        .filter((statement) => [statement.Resource].flat().includes('*'))
        .flatMap((statement) => [statement.Action].flat());

    // Act
    const functions = wildcardActionsOf(/^Functions/);
    const stateMachines = wildcardActionsOf(/^Workflows/);
    const elsewhere = wildcardActionsOf(/^(?!Functions|Workflows)/);

    // Assess
    expect(new Set(functions)).toEqual(new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    expect(new Set(stateMachines)).toEqual(
      new Set([
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ]),
    );
    expect(elsewhere).toEqual([]);
  });
});

import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { resourceNames } from '../../lib/topology';
import { WorkflowStateMachines } from '../../lib/workflow-state-machines';
import { readDefinition, WORKFLOWS, type WorkflowName } from '../../lib/workflows';

const synth = () => {
  // Prepare
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const stepsQueue = new Queue(stack, 'Steps');
  const erpCommandQueue = new Queue(stack, 'ErpCommands', { fifo: true });
  new WorkflowStateMachines(stack, 'Workflows', { names: resourceNames('dev'), stepsQueue, erpCommandQueue, logRetentionDays: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  return { template: Template.fromStack(stack), stack };
};

describe('WorkflowStateMachines', () => {
  const { template, stack } = synth();
  const machines = template.findResources('AWS::StepFunctions::StateMachine');

  it.each(Object.keys(WORKFLOWS) as WorkflowName[])('deploys the %s definition file unchanged, its placeholders filled by CloudFormation', (workflow) => {
    // Act
    const [machine] = Object.values(machines).filter((resource) => resource.Properties.StateMachineName === `retail-sync-dev-${WORKFLOWS[workflow].slug}`);
    // Assess
    expect(machine!.Properties.DefinitionString).toBe(readDefinition(workflow));
    expect(machine!.Properties.StateMachineType).toBe('STANDARD');
    expect(Object.keys(machine!.Properties.DefinitionSubstitutions).sort()).toEqual(['ErpCommandQueueUrl', 'WorkflowStepsQueueUrl']);
    expect(machine!.Properties.DefinitionSubstitutions.ErpCommandQueueUrl).toEqual({ Ref: stack.getLogicalId(stack.node.findChild('ErpCommands').node.defaultChild as never) });
  });

  it('traces executions and logs every transition without the customer data', () => {
    // Assess
    for (const machine of Object.values(machines)) {
      expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    }
  });

  it('lets the state machines send only to the two queues their tasks name', () => {
    // Act
    const statements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.anyValue() } })).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
    );
    const sqsStatements = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('sqs:')));
    // Assess
    expect(sqsStatements.map((statement) => [statement.Action].flat().sort())).toEqual([
      ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
      ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
    ]);
    const targets = sqsStatements.map((statement) => JSON.stringify(statement.Resource)).sort();
    expect(targets).toEqual([expect.stringContaining('ErpCommands'), expect.stringContaining('Steps')]);
    expect(statements.some((statement) => [statement.Action].flat().some((action) => /^(lambda|dynamodb|events):/.test(action)))).toBe(false);
  });
});

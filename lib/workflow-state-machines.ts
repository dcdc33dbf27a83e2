import { CfnResource, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { dropImpliedRoleDependency, LOG_GROUP_WITHOUT_CMK, skipCheckov } from './checkov';
import type { ResourceNames } from './topology';
import { readDefinition, WORKFLOWS, type WorkflowName, type WorkflowSubstitutions } from './workflows';

export interface WorkflowStateMachinesProps {
  names: ResourceNames;
  /** The queue the workflow-steps worker consumes. */
  stepsQueue: IQueue;
  /** The ERP command queue (FIFO). */
  erpCommandQueue: IQueue;
  logRetentionDays: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * One Standard state machine per workflow, its definition the ASL file itself (inline, so the template
 * carries it unchanged) with its placeholders filled by `DefinitionSubstitutions`. The role may only send
 * to the two queues its tasks name: every step that runs code or writes to the ERP goes through them.
 */
export class WorkflowStateMachines extends Construct {
  /** Read-only: the stack wires its workers to these, nothing adds to them. */
  readonly byName: ReadonlyMap<WorkflowName, StateMachine>;

  constructor(scope: Construct, id: string, props: WorkflowStateMachinesProps) {
    super(scope, id);
    const substitutions: WorkflowSubstitutions = {
      WorkflowStepsQueueUrl: props.stepsQueue.queueUrl,
      ErpCommandQueueUrl: props.erpCommandQueue.queueUrl,
    };
    const stateMachineFor = (name: WorkflowName) => {
      const logGroup = new LogGroup(this, `${name}-logs`, {
        logGroupName: `/aws/vendedlogs/states/${props.names.stateMachine(name)}`,
        retention: props.logRetentionDays,
        removalPolicy: props.removalPolicy,
      });
      skipCheckov(logGroup, LOG_GROUP_WITHOUT_CMK);
      const machine = new StateMachine(this, name, {
        stateMachineName: props.names.stateMachine(name),
        stateMachineType: StateMachineType.STANDARD,
        comment: WORKFLOWS[name].description,
        definitionBody: DefinitionBody.fromString(readDefinition(name)),
        definitionSubstitutions: { ...substitutions },
        // Execution data carries customers' orders: the execution history keeps it, the logs do not.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
        removalPolicy: props.removalPolicy,
      });
      props.stepsQueue.grantSendMessages(machine);
      dropImpliedRoleDependency(machine.node.defaultChild as CfnResource, machine.role.node.findChild('DefaultPolicy'));
      props.erpCommandQueue.grantSendMessages(machine);
      // Log delivery and X-Ray's actions (what CDK adds for `logs` and `tracingEnabled`) support no resource scoping.
      Validations.of(machine.role.node.findChild('DefaultPolicy')).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'CloudWatch Logs log-delivery and X-Ray actions support no resource-level scoping.',
      });
      return machine;
    };
    this.byName = new Map((Object.keys(WORKFLOWS) as WorkflowName[]).map((name) => [name, stateMachineFor(name)]));
  }
}

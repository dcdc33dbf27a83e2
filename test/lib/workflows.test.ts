import aslValidator from 'asl-validator';
import { ErpCommandType } from '../../functions/core/canonical/erp-command';
import { placeholdersIn, readDefinition, substituteDefinition, WORKFLOWS, type WorkflowName, type WorkflowSubstitutions } from '../../lib/workflows';

interface TaskState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Parameters?: { QueueUrl?: string; MessageBody?: Record<string, unknown>; 'MessageGroupId.$'?: string; 'MessageDeduplicationId.$'?: string };
  Next?: string;
  End?: boolean;
}

const SUBSTITUTIONS: WorkflowSubstitutions = {
  WorkflowStepsQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/retail-sync-dev-workflow-steps',
  ErpCommandQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/retail-sync-dev-erp-commands.fifo',
};
const names = Object.keys(WORKFLOWS) as WorkflowName[];
const statesOf = (workflow: WorkflowName) => Object.entries((JSON.parse(substituteDefinition(readDefinition(workflow), SUBSTITUTIONS)) as { States: Record<string, TaskState> }).States);

describe.each(names)('workflow %s', (workflow) => {
  it('is valid Amazon States Language once its placeholders are filled', () => {
    // Prepare
    const definition = JSON.parse(substituteDefinition(readDefinition(workflow), SUBSTITUTIONS)) as unknown;
    // Act
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });
    // Assess
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('uses only placeholders the stacks provide', () => {
    // Act
    const used = placeholdersIn(readDefinition(workflow));
    // Assess
    expect(used.sort()).toEqual(Object.keys(SUBSTITUTIONS).sort());
  });

  it('bounds every wait for a task token', () => {
    // Prepare
    const waits = statesOf(workflow).filter(([, state]) => state.Resource?.endsWith('.waitForTaskToken'));
    // Assess: Step Functions has no default task timeout; an unbounded wait would hold a workflow for a year.
    expect(waits.length).toBeGreaterThan(0);
    for (const [name, state] of waits) expect({ name, bounded: state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined }).toEqual({ name, bounded: true });
  });

  it('sends every ERP write through the ERP command queue, per order, with an id derived from the workflow', () => {
    // Prepare
    const erpWrites = statesOf(workflow).filter(([, state]) => state.Parameters?.QueueUrl === SUBSTITUTIONS.ErpCommandQueueUrl);
    // Assess
    expect(erpWrites.length).toBeGreaterThan(0);
    for (const [, state] of erpWrites) {
      const body = state.Parameters!.MessageBody!;
      expect(ErpCommandType.safeParse(body.type).success).toBe(true);
      expect(body['commandId.$']).toMatch(/^States\.Format\('\{\}\.[a-z-]+', \$\.workflowId\)$/);
      expect(body['taskToken.$']).toBe('$$.Task.Token');
      expect(state.Parameters!['MessageGroupId.$']).toBe('$.request.orderId');
      // A step retried within FIFO's five-minute window must still reach the dispatcher with its new token.
      expect(state.Parameters!['MessageDeduplicationId.$']).toBe('States.UUID()');
    }
  });

  it('gives each ERP intent its own command id', () => {
    // Prepare
    const commandIds = statesOf(workflow)
      .filter(([, state]) => state.Parameters?.QueueUrl === SUBSTITUTIONS.ErpCommandQueueUrl)
      .map(([, state]) => state.Parameters!.MessageBody!['commandId.$']);
    // Assess
    expect(new Set(commandIds).size).toBe(commandIds.length);
  });
});

describe('substituteDefinition', () => {
  it('names a placeholder nothing provides', () => {
    // Act
    const fill = () => substituteDefinition('{"QueueUrl":"${AuditTableName}"}', SUBSTITUTIONS);
    // Assess
    expect(fill).toThrow('The workflow definition uses ${AuditTableName}, which nothing provides.');
  });
});

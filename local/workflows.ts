import { CreateStateMachineCommand, ListStateMachinesCommand, SFNClient, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { readDefinition, substituteDefinition, WORKFLOWS, type WorkflowName, type WorkflowSubstitutions } from '../lib/workflows';

/** The emulator's Step Functions run executions only when asked to (moto's `execute_state_machine`). */
export const enableWorkflowExecution = async (emulatorEndpoint: string): Promise<void> => {
  const response = await fetch(`${emulatorEndpoint}/moto-api/config`, {
    method: 'POST',
    body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
  });
  if (!response.ok) throw new Error(`The emulator refused to run state machines: ${response.status} ${await response.text()}`);
};

/**
 * Creates (or updates) each workflow's state machine in the emulator from the same ASL file and
 * placeholders the CDK stack deploys, and returns their ARNs.
 */
export const provisionWorkflows = async (
  sfn: SFNClient,
  options: { prefix: string; substitutions: WorkflowSubstitutions; roleArn?: string },
): Promise<Map<WorkflowName, string>> => {
  const roleArn = options.roleArn ?? `arn:aws:iam::${process.env.AWS_ACCOUNT_ID ?? '123456789012'}:role/${options.prefix}-workflows`;
  const existing = new Map<string, string>();
  for (let nextToken: string | undefined, first = true; first || nextToken; first = false) {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    for (const machine of page.stateMachines ?? []) existing.set(machine.name!, machine.stateMachineArn!);
    nextToken = page.nextToken;
  }
  const arns = new Map<WorkflowName, string>();
  for (const [workflow, spec] of Object.entries(WORKFLOWS) as Array<[WorkflowName, (typeof WORKFLOWS)[WorkflowName]]>) {
    const name = `${options.prefix}-${spec.slug}`;
    const definition = substituteDefinition(readDefinition(workflow), options.substitutions);
    const known = existing.get(name);
    if (known) {
      await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: known, definition, roleArn }));
      arns.set(workflow, known);
    } else {
      arns.set(workflow, (await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn, type: 'STANDARD' }))).stateMachineArn!);
    }
  }
  return arns;
};

import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '../core/ports/workflow-tasks';

/**
 * Starts executions by name. AWS answers a repeated name with the running execution when the input is
 * the same and `ExecutionAlreadyExists` otherwise (moto always does the latter): either way the
 * workflow exists, so both mean `already-started`.
 */
export const makeStepFunctionsWorkflowStarter = (sfn: SFNClient, stateMachineArns: { refundOrReplacement: string }): WorkflowStarter => ({
  async startRefundOrReplacement(input) {
    try {
      await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArns.refundOrReplacement, name: input.workflowId, input: JSON.stringify(input) }));
      return 'started';
    } catch (error) {
      if ((error as Error).name === 'ExecutionAlreadyExists') return 'already-started';
      throw error;
    }
  },
});

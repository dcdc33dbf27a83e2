import type { SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { enableWorkflowExecution, provisionWorkflows } from '../../local/workflows';
import { uniqueStage } from './emulator';

/**
 * The queues the workflow definitions send to, and the state machines, in the emulator under a stage of
 * their own, provisioned the way the local stack does it.
 */
export const provisionWorkflowFixture = async (endpoint: string, sqs: SQSClient, sfn: SFNClient, label: string) => {
  const prefix = `retail-sync-${uniqueStage(label)}`;
  const stepsQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-workflow-steps` }))).QueueUrl!;
  const erpQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-erp-commands.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
  await enableWorkflowExecution(endpoint);
  const substitutions = { WorkflowStepsQueueUrl: stepsQueueUrl, ErpCommandQueueUrl: erpQueueUrl };
  const arns = await provisionWorkflows(sfn, { prefix, substitutions });
  return { prefix, stepsQueueUrl, erpQueueUrl, substitutions, stateMachineArn: arns.get('refundOrReplacement')! };
};

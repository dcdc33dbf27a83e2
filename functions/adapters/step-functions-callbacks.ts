import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { TaskCallbacks } from '../core/ports/workflow-tasks';

/**
 * A token answered before (a redelivered message after a crash) or timed out (the workflow already
 * retried the step with a new token) is gone: answering it again has nothing left to change.
 */
const ignoreGoneToken = (error: unknown) => {
  const name = (error as Error).name;
  if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken') return;
  throw error;
};

/** Answers Step Functions task tokens. Step Functions limits `cause` to 32,768 characters. */
export const makeStepFunctionsCallbacks = (sfn: SFNClient): TaskCallbacks => ({
  async succeed(taskToken, output) {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? {}) })).catch(ignoreGoneToken);
  },
  async fail(taskToken, error, cause) {
    await sfn.send(new SendTaskFailureCommand({ taskToken, error: error.slice(0, 256), cause: cause.slice(0, 32_768) })).catch(ignoreGoneToken);
  },
});

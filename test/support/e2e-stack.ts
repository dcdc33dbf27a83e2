import { SQSClient } from '@aws-sdk/client-sqs';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/runtime';
import { observeBus } from './bus-observer';
import { uniqueStage, useEmulator } from './emulator';

export interface E2eStack {
  stack: LocalStack;
  /** Every canonical event that reached the stack's bus. */
  observer: Awaited<ReturnType<typeof observeBus>>;
  sqs: SQSClient;
  stop(): Promise<void>;
}

/**
 * The local stack of one e2e test file, on the shared emulator under a stage of its own, with short
 * queue visibility (the tests crash consumers on purpose) and an observer on its bus.
 */
export const startE2eStack = async (label: string, options: Omit<LocalStackOptions, 'port' | 'stage' | 'emulatorEndpoint'>): Promise<E2eStack> => {
  const stack = await startLocalStack({ port: 0, stage: uniqueStage(label), emulatorEndpoint: useEmulator(), visibilityTimeoutSeconds: 5, ...options });
  const observer = await observeBus(stack.resources.busName);
  const sqs = new SQSClient({});
  return {
    stack,
    observer,
    sqs,
    async stop() {
      observer.close();
      sqs.destroy();
      await stack.stop();
    },
  };
};

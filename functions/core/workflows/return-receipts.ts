import type { z } from 'zod';
import type { CanonicalEvents } from '../canonical/events';
import type { TaskCallbacks, WorkflowWaits } from '../ports/workflow-tasks';

export type ReturnReceivedDetail = z.infer<(typeof CanonicalEvents)['return.received']>;

/**
 * `return.received` from the 3PL completes the workflow step that waits for that return authorization
 * (its token was stored against the ERP's reference). A return no workflow waits for is someone
 * else's: nothing to do. Safe to run twice: the wait is cleared only after its token is answered,
 * and answering a token twice changes nothing.
 */
export const makeReturnReceipts = ({ waits, callbacks }: { waits: Pick<WorkflowWaits, 'returnWait' | 'clearReturnWait'>; callbacks: TaskCallbacks }) =>
  async (detail: ReturnReceivedDetail): Promise<{ outcome: 'completed' | 'no-workflow-waiting'; workflowId?: string }> => {
    const reference = detail.data.returnId;
    const wait = await waits.returnWait(reference);
    if (!wait) return { outcome: 'no-workflow-waiting' };
    await callbacks.succeed(wait.taskToken, { receivedAt: detail.data.occurredAt });
    await waits.clearReturnWait(reference);
    return { outcome: 'completed', workflowId: wait.workflowId };
  };

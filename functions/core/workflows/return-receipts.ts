import type * as z from '../zod';
import type { CanonicalEvents } from '../canonical/events';
import type { TaskCallbacks, WorkflowWaits } from '../ports/workflow-tasks';

export type ReturnReceivedDetail = z.infer<(typeof CanonicalEvents)['return.received']>;

/**
 * `return.received` from the 3PL completes the workflow step that waits for that return authorization
 * (its token was stored against the ERP's reference). The receipt is kept, so a workflow that starts
 * waiting only afterwards completes at once (`makeAwaitReturn`); a return no workflow ever waits for
 * changes nothing else. Safe to run twice: the wait is cleared only after its token is answered,
 * and answering a token twice changes nothing.
 */
export const makeReturnReceipts = ({ waits, callbacks }: { waits: Pick<WorkflowWaits, 'returnWait' | 'clearReturnWait' | 'recordReceipt'>; callbacks: TaskCallbacks }) =>
  async (detail: ReturnReceivedDetail): Promise<{ outcome: 'completed' | 'no-workflow-waiting'; workflowId?: string }> => {
    const reference = detail.data.returnId;
    // Recorded before the wait is read: a workflow that registers its wait meanwhile finds the receipt
    // (`makeAwaitReturn`), so a return scanned early is never lost between the two.
    await waits.recordReceipt(reference, detail.data.occurredAt);
    const wait = await waits.returnWait(reference);
    if (!wait) return { outcome: 'no-workflow-waiting' };
    await callbacks.succeed(wait.taskToken, { receivedAt: detail.data.occurredAt });
    await waits.clearReturnWait(reference);
    return { outcome: 'completed', workflowId: wait.workflowId };
  };

/**
 * The `await-return` step: stores the token against the return authorization, then looks for a receipt
 * that arrived before (the mirror of `makeReturnReceipts`: each writes first, then reads, so one of them
 * always sees the other). A token answered by both is answered once; the second answer changes nothing.
 */
export const makeAwaitReturn = ({ waits, callbacks }: { waits: Pick<WorkflowWaits, 'awaitReturn' | 'receipt' | 'clearReturnWait'>; callbacks: TaskCallbacks }) =>
  async (returnReference: string, taskToken: string, workflowId: string): Promise<void> => {
    await waits.awaitReturn(returnReference, taskToken, workflowId);
    const early = await waits.receipt(returnReference);
    if (!early) return;
    await callbacks.succeed(taskToken, { receivedAt: early.receivedAt });
    await waits.clearReturnWait(returnReference);
  };

import { makeAwaitReturn, makeReturnReceipts, type ReturnReceivedDetail } from '../../../../functions/core/workflows/return-receipts';

const received = (returnId: string): ReturnReceivedDetail =>
  ({
    eventId: 'evt-1',
    correlationId: 'corr-1',
    schemaVersion: 1,
    origin: { system: '3pl', deliveryId: 'd-1', type: 'return.received' },
    receivedAt: '2026-11-28T10:00:00Z',
    data: { source: { system: '3pl', id: returnId }, occurredAt: '2026-11-28T09:58:00Z', correlationIds: [], returnId, orderId: 'SO-1', status: 'received', lines: [] },
  }) as ReturnReceivedDetail;

const world = (options: { answerFails?: boolean } = {}) => {
  const waits = new Map([['ERP-7', { taskToken: 'token-7', workflowId: 'rr-7' }]]);
  const receipts = new Map<string, string>();
  const answered: Array<{ token: string; output: unknown }> = [];
  const receive = makeReturnReceipts({
    waits: {
      recordReceipt: async (reference, receivedAt) => void receipts.set(reference, receivedAt),
      returnWait: async (reference) => waits.get(reference),
      clearReturnWait: async (reference) => void waits.delete(reference),
    },
    callbacks: {
      succeed: async (token, output) => {
        if (options.answerFails) throw new Error('throttled');
        answered.push({ token, output });
      },
      fail: async () => undefined,
    },
  });
  return { receive, waits, answered, receipts };
};

describe('return receipts', () => {
  it('completes the step waiting for the return authorization with when the warehouse received it, then forgets the wait', async () => {
    // Prepare
    const { receive, waits, answered } = world();
    // Act
    const outcome = await receive(received('ERP-7'));
    // Assess
    expect(outcome).toEqual({ outcome: 'completed', workflowId: 'rr-7' });
    expect(answered).toEqual([{ token: 'token-7', output: { receivedAt: '2026-11-28T09:58:00Z' } }]);
    expect(waits.has('ERP-7')).toBe(false);
  });

  it('keeps the receipt of a return no workflow waits for yet, answering nothing', async () => {
    // Prepare
    const { receive, waits, answered, receipts } = world();
    // Act
    const outcome = await receive(received('ERP-99'));
    // Assess
    expect(outcome).toEqual({ outcome: 'no-workflow-waiting' });
    expect(answered).toEqual([]);
    expect(waits.size).toBe(1);
    expect(receipts.get('ERP-99')).toBe('2026-11-28T09:58:00Z');
  });

  it('keeps the wait when the answer fails, so the retry finds it', async () => {
    // Prepare
    const { receive, waits } = world({ answerFails: true });
    // Act
    const attempt = receive(received('ERP-7'));
    // Assess
    await expect(attempt).rejects.toThrow('throttled');
    expect(waits.has('ERP-7')).toBe(true);
  });

  it('completes a workflow that starts waiting after the warehouse already reported the return', async () => {
    // Prepare: the 3PL's event came first.
    const waits = new Map<string, { taskToken: string; workflowId: string }>();
    const receipts = new Map<string, string>();
    const answered: Array<{ token: string; output: unknown }> = [];
    const ports = {
      waits: {
        awaitReturn: async (reference: string, taskToken: string, workflowId: string) => void waits.set(reference, { taskToken, workflowId }),
        receipt: async (reference: string) => (receipts.has(reference) ? { receivedAt: receipts.get(reference)! } : undefined),
        clearReturnWait: async (reference: string) => void waits.delete(reference),
        recordReceipt: async (reference: string, receivedAt: string) => void receipts.set(reference, receivedAt),
        returnWait: async (reference: string) => waits.get(reference),
      },
      callbacks: { succeed: async (token: string, output: unknown) => void answered.push({ token, output }), fail: async () => undefined },
    };
    await makeReturnReceipts(ports)(received('ERP-8'));
    // Act
    await makeAwaitReturn(ports)('ERP-8', 'token-8', 'rr-8');
    // Assess
    expect(answered).toEqual([{ token: 'token-8', output: { receivedAt: '2026-11-28T09:58:00Z' } }]);
    expect(waits.size).toBe(0);
  });
});

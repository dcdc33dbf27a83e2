import { DeferredError } from '../../../../functions/core/errors';
import { gatedResolutionReads } from '../../../../functions/core/erp/gated-resolution-reads';
import { makeErpGate } from '../../../../functions/core/erp/gate';
import type { ErpCoordination } from '../../../../functions/core/ports/erp-coordination';
import type { ErpResolutionReads } from '../../../../functions/core/ports/workflow-tasks';

const coordination = (breaker: 'closed' | 'open') => {
  const slots: number[] = [];
  const double: ErpCoordination = {
    admit: async () => (breaker === 'open' ? { action: 'wait', waitMs: 3000 } : { action: 'call' }),
    reserveSlot: async () => {
      slots.push(slots.length);
      return { granted: true, waitMs: 0 };
    },
    rateLimited: async () => undefined,
    succeeded: async () => undefined,
    failed: async () => undefined,
  };
  return { double, slots };
};

const readsDouble = () => {
  const calls: string[] = [];
  const reads: ErpResolutionReads = {
    orderForResolution: async (orderId) => {
      calls.push(`order ${orderId}`);
      return undefined;
    },
    availableStock: async (sku) => {
      calls.push(`stock ${sku}`);
      return 7;
    },
  };
  return { reads, calls };
};

describe('ERP resolution reads behind the gate', () => {
  it('takes a send slot for every read', async () => {
    // Prepare
    const { double, slots } = coordination('closed');
    const { reads, calls } = readsDouble();
    const gated = gatedResolutionReads(reads, makeErpGate({ coordination: double, priority: 'customer' }));

    // Act
    const stock = await gated.availableStock('MUG');
    await gated.orderForResolution('SO-1');

    // Assess
    expect(stock).toBe(7);
    expect(calls).toEqual(['stock MUG', 'order SO-1']);
    expect(slots).toHaveLength(2);
  });

  it('defers a read without calling the ERP while the breaker is open', async () => {
    // Prepare
    const { double } = coordination('open');
    const { reads, calls } = readsDouble();
    const gated = gatedResolutionReads(reads, makeErpGate({ coordination: double, priority: 'customer' }));

    // Act
    const reading = Promise.allSettled([gated.orderForResolution('SO-1'), gated.availableStock('MUG')]);

    // Assess
    const outcomes = await reading;
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason instanceof DeferredError)).toEqual([true, true]);
    expect(calls).toEqual([]);
  });
});

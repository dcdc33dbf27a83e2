import { DeferredError } from '../../../../functions/core/errors';
import { makeErpGate } from '../../../../functions/core/erp/gate';
import type { ErpPriority } from '../../../../functions/core/erp/priority-slots';
import type { ErpCoordination } from '../../../../functions/core/ports/erp-coordination';

/** A coordination whose slot answers are given in order, and a clock that sleeping moves. */
const coordinationAnswering = (answers: Array<{ granted: boolean; waitMs: number }>) => {
  const clock = { nowMs: 10_000 };
  const asked: Array<{ maxWaitMs: number; priority: ErpPriority }> = [];
  const coordination: ErpCoordination = {
    admit: async () => ({ action: 'call' }),
    reserveSlot: async (maxWaitMs, priority) => {
      asked.push({ maxWaitMs, priority });
      const answer = answers.shift()!;
      return answer.granted ? { granted: true, waitMs: answer.waitMs, slotAt: clock.nowMs + answer.waitMs } : { granted: false, waitMs: answer.waitMs };
    },
    rateLimited: async () => undefined,
    succeeded: async () => undefined,
    failed: async () => undefined,
  };
  const sleep = async (ms: number) => void (clock.nowMs += ms);
  return { coordination, clock, asked, sleep };
};

describe('ERP gate and the priority rule', () => {
  it('asks for slots in its class and waits in the invocation when told to ask again within the pacing wait', async () => {
    // Prepare
    const { coordination, clock, asked, sleep } = coordinationAnswering([
      { granted: false, waitMs: 300 },
      { granted: true, waitMs: 0 },
    ]);
    const gate = makeErpGate({ coordination, priority: 'bulk', sleep, now: () => clock.nowMs });

    // Act
    const result = await gate(async () => 'read');

    // Assess
    expect(result).toBe('read');
    expect(asked.map((ask) => ask.priority)).toEqual(['bulk', 'bulk']);
    expect(clock.nowMs).toBe(10_300);
  });

  it('sends the work back to its queue when no slot can be had within the pacing wait', async () => {
    // Prepare
    const { coordination, clock, sleep } = coordinationAnswering([
      { granted: false, waitMs: 1500 },
      { granted: false, waitMs: 1500 },
    ]);
    const gate = makeErpGate({ coordination, priority: 'customer', sleep, now: () => clock.nowMs, maxPacingWaitMs: 2000 });
    let called = false;

    // Act
    const outcome = gate(async () => void (called = true));

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(DeferredError);
    expect(called).toBe(false);
  });

  it('gets the credential before booking a slot, so a first call leaves on its slot, not after the token fetch', async () => {
    // Prepare: the slot is due at once; fetching the token (secret read, Entra ID) takes 150 ms, once.
    const { coordination, clock, sleep } = coordinationAnswering([{ granted: true, waitMs: 0 }]);
    let token: string | undefined;
    const header = async () => {
      if (token === undefined) {
        clock.nowMs += 150;
        token = 'Bearer t';
      }
      return token;
    };
    const slots: number[] = [];
    const counting: ErpCoordination = {
      ...coordination,
      reserveSlot: async (maxWaitMs, priority) => {
        const slot = await coordination.reserveSlot(maxWaitMs, priority);
        if (slot.granted) slots.push(slot.slotAt!);
        return slot;
      },
    };
    const gate = makeErpGate({ coordination: counting, priority: 'customer', sleep, now: () => clock.nowMs, ready: async () => void (await header()) });
    let sentAt = 0;

    // Act
    await gate(async () => {
      await header();
      sentAt = clock.nowMs;
    });

    // Assess: the request leaves at its slot; fetched inside the slot it would leave 150 ms after it.
    expect(slots).toHaveLength(1);
    expect(sentAt - slots[0]!).toBe(0);
  });

  it('gives the work back to its queue rather than send after a slot it missed, however often it missed one', async () => {
    // Prepare: every slot is 10 ms ahead, and every sleep wakes 50 ms late (a starved event loop).
    const { coordination, clock } = coordinationAnswering(Array.from({ length: 10 }, () => ({ granted: true, waitMs: 10 })));
    const lateSleep = async (ms: number) => void (clock.nowMs += ms + 50);
    const signals: string[] = [];
    const gate = makeErpGate({ coordination, priority: 'bulk', sleep: lateSleep, now: () => clock.nowMs, observe: (signal) => signals.push(signal) });
    let called = false;

    // Act
    const outcome = gate(async () => void (called = true));

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(DeferredError);
    expect(called).toBe(false);
    expect(signals).toEqual(['send-late']);
  });

  it.each([
    ['sends 50 ms after its slot when the coordination allows 60 ms (a 120 ms margin)', 60, true],
    ['gives that slot up with the default 20 ms (a 40 ms margin)', undefined, false],
  ])('%s', async (_name, allowedMs, sends) => {
    // Prepare: every sleep wakes 50 ms late.
    const answering = coordinationAnswering(Array.from({ length: 10 }, () => ({ granted: true, waitMs: 10 })));
    const coordination: ErpCoordination = { ...answering.coordination, ...(allowedMs !== undefined ? { maxLatenessMs: allowedMs } : {}) };
    const gate = makeErpGate({ coordination, priority: 'bulk', sleep: async (ms) => void (answering.clock.nowMs += ms + 50), now: () => answering.clock.nowMs });
    let called = false;

    // Act
    const outcome = await gate(async () => void (called = true)).then(() => 'sent', (error: unknown) => error);

    // Assess
    expect(called).toBe(sends);
    if (sends) expect(outcome).toBe('sent');
    else expect(outcome).toBeInstanceOf(DeferredError);
  });
});

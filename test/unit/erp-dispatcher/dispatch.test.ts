import type { ErpCommand } from '../../../functions/core/canonical/erp-command';
import { commandIdFor } from '../../../functions/core/canonical/erp-command';
import { DeferredError, PermanentError, RateLimitedError, RetriesExhaustedError, TransientError } from '../../../functions/core/errors';
import type { CommandLedger, CommandRecord } from '../../../functions/core/ports/command-ledger';
import type { ErpPort } from '../../../functions/core/ports/erp';
import type { ErpCoordination } from '../../../functions/core/ports/erp-coordination';
import { makeErpDispatch, parseErpCommand } from '../../../functions/erp-dispatcher/dispatch';

const command: ErpCommand = {
  commandId: 'cmd-1',
  type: 'refund.issue',
  orderId: 'SO-1',
  correlationId: 'msg_1',
  requestedAt: '2026-11-27T10:00:00Z',
  payload: { amount: 10 },
};

const ledgerDouble = (): CommandLedger & { records: Map<string, CommandRecord> } => {
  const records = new Map<string, CommandRecord>();
  return {
    records,
    get: async (id) => records.get(id),
    start: async (id) => {
      const before = records.get(id);
      records.set(id, { status: before?.status ?? 'started', attempts: before?.attempts ?? 0, erpReference: before?.erpReference });
      return before;
    },
    failedAttempt: async (id) => {
      const record = records.get(id)!;
      record.attempts++;
      return record.attempts;
    },
    done: async (id, receipt) => void records.set(id, { status: 'done', attempts: records.get(id)?.attempts ?? 0, erpReference: receipt.erpReference }),
  };
};

const coordinationDouble = (overrides: Partial<ErpCoordination> = {}) => {
  const events: string[] = [];
  const coordination: ErpCoordination = {
    reserveSlot: async () => ({ granted: true, waitMs: 0 }),
    rateLimited: async () => void events.push('rate-limited'),
    admit: async () => ({ action: 'call' }),
    succeeded: async () => void events.push('succeeded'),
    failed: async () => void events.push('failed'),
    ...overrides,
  };
  return { coordination, events };
};

const erpDouble = (behaviour: Partial<ErpPort> = {}) => {
  const created: string[] = [];
  const erp: ErpPort = {
    findEffect: async (c) => (created.includes(c.commandId) ? { erpReference: 'ERP-1', replayed: true } : undefined),
    create: async (c) => {
      created.push(c.commandId);
      return { erpReference: 'ERP-1', replayed: false };
    },
    getOrder: async () => undefined,
    getInventory: async () => [],
    listOrdersChanged: async () => ({ orders: [], unreadable: [] }),
    ...behaviour,
  };
  return { erp, created };
};

describe('ERP dispatch', () => {
  it('creates the effect with one ERP call on the first attempt', async () => {
    const { erp, created } = erpDouble();
    const ledger = ledgerDouble();
    const result = await makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger })(command);
    expect(result).toEqual({ outcome: 'created', receipt: { erpReference: 'ERP-1', replayed: false }, erpCalls: 1 });
    expect(created).toEqual(['cmd-1']);
    expect(ledger.records.get('cmd-1')?.status).toBe('done');
  });

  it('acknowledges a redelivered command that is done without calling the ERP', async () => {
    const { erp, created } = erpDouble();
    const ledger = ledgerDouble();
    const dispatch = makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger });
    await dispatch(command);
    expect((await dispatch(command)).outcome).toBe('already-done');
    expect(created).toHaveLength(1);
  });

  it('finds the effect instead of creating it again after a crash between the ERP call and the ledger', async () => {
    const { erp, created } = erpDouble();
    const ledger = ledgerDouble();
    ledger.done = async () => {
      throw new Error('crash');
    };
    const dispatch = makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger });
    await expect(dispatch(command)).rejects.toThrow('crash');
    const retry = await makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger: { ...ledger, done: ledgerDouble().done } })(command);
    expect(retry.outcome).toBe('found-existing');
    expect(created).toEqual(['cmd-1']);
  });

  it('defers without calling the ERP while the breaker is open', async () => {
    const { erp, created } = erpDouble();
    const { coordination } = coordinationDouble({ admit: async () => ({ action: 'wait', waitMs: 4200 }) });
    const error = await makeErpDispatch({ erp, coordination, ledger: ledgerDouble() })(command).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeferredError);
    expect((error as DeferredError).retryAfterSeconds).toBe(6);
    expect(created).toEqual([]);
  });

  it('waits for its send slot, and defers when the schedule is booked far ahead', async () => {
    const waits: number[] = [];
    let slots: Array<{ granted: boolean; waitMs: number }> = [{ granted: true, waitMs: 50 }];
    const { coordination } = coordinationDouble({ reserveSlot: async () => slots.shift()! as never });
    const { erp, created } = erpDouble();
    await makeErpDispatch({ erp, coordination, ledger: ledgerDouble(), sleep: async (ms) => void waits.push(ms) })(command);
    expect(waits).toEqual([50]);

    slots = [{ granted: false, waitMs: 5000 }];
    const error = await makeErpDispatch({ erp, coordination, ledger: ledgerDouble() })({ ...command, commandId: 'cmd-2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeferredError);
    expect((error as DeferredError).retryAfterSeconds).toBe(5);
    expect(created).toEqual(['cmd-1']);
  });

  it('reports 429 to the shared budget and keeps the message for Retry-After', async () => {
    const { erp } = erpDouble({ create: async () => Promise.reject(new RateLimitedError('429', 3)) });
    const { coordination, events } = coordinationDouble();
    const ledger = ledgerDouble();
    await expect(makeErpDispatch({ erp, coordination, ledger })(command)).rejects.toBeInstanceOf(RateLimitedError);
    expect(events).toEqual(['rate-limited']);
    expect(ledger.records.get('cmd-1')?.attempts).toBe(0);
  });

  it('counts 5xx against the breaker and gives up after the attempt bound', async () => {
    const { erp } = erpDouble({ create: async () => Promise.reject(new TransientError('503')) });
    const { coordination, events } = coordinationDouble();
    const ledger = ledgerDouble();
    const dispatch = makeErpDispatch({ erp, coordination, ledger, maxAttempts: 3 });
    await expect(dispatch(command)).rejects.toBeInstanceOf(TransientError);
    await expect(dispatch(command)).rejects.toBeInstanceOf(TransientError);
    await expect(dispatch(command)).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(events.filter((event) => event === 'failed')).toHaveLength(3);
  });

  it('passes a permanent ERP refusal on for the DLQ, with the breaker told the ERP is up', async () => {
    const { erp } = erpDouble({ create: async () => Promise.reject(new PermanentError('400 bad request', { status: 400 })) });
    const { coordination, events } = coordinationDouble();
    await expect(makeErpDispatch({ erp, coordination, ledger: ledgerDouble() })(command)).rejects.toBeInstanceOf(PermanentError);
    expect(events).toEqual(['succeeded']);
  });
});

describe('ERP commands', () => {
  it('refuses a malformed command naming the fields', () => {
    expect(() => parseErpCommand('{"commandId":"x","type":"teleport"}')).toThrow(/type: Invalid option/);
    expect(() => parseErpCommand('nope')).toThrow(/not valid JSON/);
  });

  it('derives the same command id from the same intent, and different ids from different intents', () => {
    expect(commandIdFor('wf-1', 'refund')).toBe(commandIdFor('wf-1', 'refund'));
    expect(commandIdFor('wf-1', 'refund')).not.toBe(commandIdFor('wf-1', 'replacement'));
    expect(commandIdFor('wf-1', 'refund')).toMatch(/^wf-1-refund-[0-9a-f]{8}$/);
  });
});

describe('ERP dispatch pacing', () => {
  it('gives up a slot it would use too late and takes a new one', async () => {
    let clock = 0;
    const reserved: number[] = [];
    const { coordination } = coordinationDouble({
      reserveSlot: async () => {
        reserved.push(clock);
        return { granted: true, waitMs: 10 };
      },
    });
    // The first sleep overruns by 100 ms (a stalled event loop); the second is on time.
    const overruns = [100, 0];
    const sleep = async (ms: number) => void (clock += ms + overruns.shift()!);
    const { erp, created } = erpDouble();
    await makeErpDispatch({ erp, coordination, ledger: ledgerDouble(), sleep, now: () => clock })(command);
    expect(reserved).toEqual([0, 110]);
    expect(created).toEqual(['cmd-1']);
  });
});

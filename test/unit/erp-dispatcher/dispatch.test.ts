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
    // Prepare
    const { erp, created } = erpDouble();
    const ledger = ledgerDouble();
    // Act
    const result = await makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger })(command);
    // Assess
    expect(result).toEqual({ outcome: 'created', receipt: { erpReference: 'ERP-1', replayed: false }, erpCalls: 1 });
    expect(created).toEqual(['cmd-1']);
    expect(ledger.records.get('cmd-1')?.status).toBe('done');
  });

  it('acknowledges a redelivered command that is done without calling the ERP', async () => {
    // Prepare
    const { erp, created } = erpDouble();
    const dispatch = makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger: ledgerDouble() });
    await dispatch(command);
    // Act
    const again = await dispatch(command);
    // Assess
    expect(again.outcome).toBe('already-done');
    expect(created).toHaveLength(1);
  });

  it('finds the effect instead of creating it again after a crash between the ERP call and the ledger', async () => {
    // Prepare
    const { erp, created } = erpDouble();
    const ledger = ledgerDouble();
    ledger.done = async () => {
      throw new Error('crash');
    };
    await expect(makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger })(command)).rejects.toThrow('crash');
    // Act
    const retry = await makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger: { ...ledger, done: ledgerDouble().done } })(command);
    // Assess
    expect(retry.outcome).toBe('found-existing');
    expect(created).toEqual(['cmd-1']);
  });

  it('defers without calling the ERP while the breaker is open', async () => {
    // Prepare
    const { erp, created } = erpDouble();
    const { coordination } = coordinationDouble({ admit: async () => ({ action: 'wait', waitMs: 4200 }) });
    // Act
    const error = await makeErpDispatch({ erp, coordination, ledger: ledgerDouble() })(command).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DeferredError);
    expect((error as DeferredError).retryAfterSeconds).toBe(6);
    expect(created).toEqual([]);
  });

  it('waits for its send slot before calling the ERP', async () => {
    // Prepare
    const waits: number[] = [];
    const { coordination } = coordinationDouble({ reserveSlot: async () => ({ granted: true, waitMs: 50 }) as never });
    const { erp, created } = erpDouble();
    // Act
    await makeErpDispatch({ erp, coordination, ledger: ledgerDouble(), sleep: async (ms) => void waits.push(ms) })(command);
    // Assess
    expect(waits).toEqual([50]);
    expect(created).toEqual(['cmd-1']);
  });

  it('defers when the schedule is booked far ahead', async () => {
    // Prepare
    const { coordination } = coordinationDouble({ reserveSlot: async () => ({ granted: false, waitMs: 5000 }) as never });
    const { erp, created } = erpDouble();
    // Act
    const error = await makeErpDispatch({ erp, coordination, ledger: ledgerDouble() })(command).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DeferredError);
    expect((error as DeferredError).retryAfterSeconds).toBe(5);
    expect(created).toEqual([]);
  });

  it('reports 429 to the shared budget and keeps the message for Retry-After', async () => {
    // Prepare
    const { erp } = erpDouble({ create: async () => Promise.reject(new RateLimitedError('429', 3)) });
    const { coordination, events } = coordinationDouble();
    const ledger = ledgerDouble();
    // Act
    const dispatch = makeErpDispatch({ erp, coordination, ledger })(command);
    // Assess
    await expect(dispatch).rejects.toBeInstanceOf(RateLimitedError);
    expect(events).toEqual(['rate-limited']);
    expect(ledger.records.get('cmd-1')?.attempts).toBe(0);
  });

  it('counts 5xx against the breaker and gives up after the attempt bound', async () => {
    // Prepare
    const { erp } = erpDouble({ create: async () => Promise.reject(new TransientError('503')) });
    const { coordination, events } = coordinationDouble();
    const dispatch = makeErpDispatch({ erp, coordination, ledger: ledgerDouble(), maxAttempts: 3 });
    // Act
    const outcomes = [];
    for (let attempt = 0; attempt < 3; attempt++) outcomes.push(await dispatch(command).catch((error: unknown) => (error as Error).constructor));
    // Assess
    expect(outcomes).toEqual([TransientError, TransientError, RetriesExhaustedError]);
    expect(events.filter((event) => event === 'failed')).toHaveLength(3);
  });

  it('passes a permanent ERP refusal on for the DLQ, with the breaker told the ERP is up', async () => {
    // Prepare
    const { erp } = erpDouble({ create: async () => Promise.reject(new PermanentError('400 bad request', { status: 400 })) });
    const { coordination, events } = coordinationDouble();
    // Act
    const dispatch = makeErpDispatch({ erp, coordination, ledger: ledgerDouble() })(command);
    // Assess
    await expect(dispatch).rejects.toBeInstanceOf(PermanentError);
    expect(events).toEqual(['succeeded']);
  });
});

describe('ERP commands', () => {
  it.each([
    ['a command of an unknown type, naming the field', '{"commandId":"x","type":"teleport"}', /type: Invalid option/],
    ['a body that is not JSON', 'nope', /not valid JSON/],
  ])('refuses %s', (_, body, expected) => {
    // Act
    const parse = () => parseErpCommand(body);
    // Assess
    expect(parse).toThrow(expected);
  });

  it('derives the same readable command id from the same intent', () => {
    // Act
    const ids = [commandIdFor('wf-1', 'refund'), commandIdFor('wf-1', 'refund')];
    // Assess
    expect(ids[1]).toBe(ids[0]);
    expect(ids[0]).toMatch(/^wf-1-refund-[0-9a-f]{8}$/);
  });

  it('derives different command ids from different intents', () => {
    // Act
    const ids = [commandIdFor('wf-1', 'refund'), commandIdFor('wf-1', 'replacement')];
    // Assess
    expect(ids[1]).not.toBe(ids[0]);
  });
});

describe('ERP dispatch pacing', () => {
  it('gives up a slot it would use too late and takes a new one', async () => {
    // Prepare
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
    // Act
    await makeErpDispatch({ erp, coordination, ledger: ledgerDouble(), sleep, now: () => clock })(command);
    // Assess
    expect(reserved).toEqual([0, 110]);
    expect(created).toEqual(['cmd-1']);
  });
});

import type { ErpCommand } from '../../../functions/core/canonical/erp-command';
import { commandIdFor } from '../../../functions/core/canonical/erp-command';
import { DeferredError, OutOfStockError, PermanentError, RateLimitedError, RetriesExhaustedError, TransientError, ValidationError } from '../../../functions/core/errors';
import type { CommandLedger, CommandRecord } from '../../../functions/core/ports/command-ledger';
import type { ErpPort, ThroughErpGate } from '../../../functions/core/ports/erp';
import type { ErpCoordination } from '../../../functions/core/ports/erp-coordination';
import type { TaskCallbacks } from '../../../functions/core/ports/workflow-tasks';
import { makeErpDispatch, parseErpCommand, parseErpCommandOrFailWaiting } from '../../../functions/erp-dispatcher/dispatch';

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
    resetAttempts: async (id) => {
      const record = records.get(id);
      if (record) record.attempts = 0;
    },
    done: async (id, receipt) => void records.set(id, { status: 'done', attempts: records.get(id)?.attempts ?? 0, erpReference: receipt.erpReference }),
  };
};

/** Task callbacks that record every answer, in order. */
const callbacksDouble = () => {
  const answers: Array<{ taskToken: string; output?: unknown; error?: string; cause?: string }> = [];
  const callbacks: TaskCallbacks = {
    succeed: async (taskToken, output) => void answers.push({ taskToken, output }),
    fail: async (taskToken, error, cause) => void answers.push({ taskToken, error, cause }),
  };
  return { callbacks, answers };
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
  const port: ErpPort = {
    findEffect: async (c) => (created.includes(c.commandId) ? { erpReference: 'ERP-1', replayed: true } : undefined),
    create: async (c) => {
      created.push(c.commandId);
      return { erpReference: 'ERP-1', replayed: false };
    },
    getOrder: async () => undefined,
    getOrderByResource: async () => undefined,
    getInvoicedOrder: async () => undefined,
    getInventory: async () => [],
    listOrdersChanged: async () => ({ orders: [], unreadable: [] }),
    ...behaviour,
  };
  // As the adapter does: each call of the double is one request, sent through the dispatcher's gate.
  const gated: ThroughErpGate<ErpPort> = (gate) => ({
    ...(port.ready ? { ready: port.ready } : {}),
    findEffect: (c) => gate(() => port.findEffect(c)),
    create: (c) => gate(() => port.create(c)),
    getOrder: (orderId) => gate(() => port.getOrder(orderId)),
    getOrderByResource: (resource) => gate(() => port.getOrderByResource(resource)),
    getInvoicedOrder: (orderId) => gate(() => port.getInvoicedOrder(orderId)),
    getInventory: (sku) => gate(() => port.getInventory(sku)),
    listOrdersChanged: (window, cursor) => gate(() => port.listOrdersChanged(window, cursor)),
  });
  return { erp: gated, created };
};

describe('ERP dispatch', () => {
  it('creates the effect with one ERP call on the first attempt', async () => {
    // Prepare
    const { erp, created } = erpDouble();
    const ledger = ledgerDouble();
    // Act
    const result = await makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination: coordinationDouble().coordination, ledger })(command);
    // Assess
    expect(result).toEqual({ outcome: 'created', receipt: { erpReference: 'ERP-1', replayed: false }, erpCalls: 1 });
    expect(created).toEqual(['cmd-1']);
    expect(ledger.records.get('cmd-1')?.status).toBe('done');
  });

  it('gets the ERP credential ready before it books the send slot', async () => {
    // Prepare
    const order: string[] = [];
    const { erp } = erpDouble({ ready: async () => void order.push('ready'), create: async () => (order.push('create'), { erpReference: 'ERP-1', replayed: false }) });
    const { coordination } = coordinationDouble({ reserveSlot: async () => (order.push('slot'), { granted: true, waitMs: 0 }) });
    // Act
    await makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination, ledger: ledgerDouble() })(command);
    // Assess
    expect(order).toEqual(['ready', 'slot', 'create']);
  });

  it('acknowledges a redelivered command that is done without calling the ERP', async () => {
    // Prepare
    const { erp, created } = erpDouble();
    const dispatch = makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination: coordinationDouble().coordination, ledger: ledgerDouble() });
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
    await expect(makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination: coordinationDouble().coordination, ledger })(command)).rejects.toThrow('crash');
    // Act
    const retry = await makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination: coordinationDouble().coordination, ledger: { ...ledger, done: ledgerDouble().done } })(command);
    // Assess
    expect(retry.outcome).toBe('found-existing');
    expect(created).toEqual(['cmd-1']);
  });

  it('defers without calling the ERP while the breaker is open', async () => {
    // Prepare
    const { erp, created } = erpDouble();
    const { coordination } = coordinationDouble({ admit: async () => ({ action: 'wait', waitMs: 4200 }) });
    // Act
    const error = await makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination, ledger: ledgerDouble() })(command).catch((e: unknown) => e);
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
    await makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination, ledger: ledgerDouble(), sleep: async (ms) => void waits.push(ms) })(command);
    // Assess
    expect(waits).toEqual([50]);
    expect(created).toEqual(['cmd-1']);
  });

  it('defers when the schedule is booked far ahead', async () => {
    // Prepare
    const { coordination } = coordinationDouble({ reserveSlot: async () => ({ granted: false, waitMs: 5000 }) as never });
    const { erp, created } = erpDouble();
    // Act
    const error = await makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination, ledger: ledgerDouble() })(command).catch((e: unknown) => e);
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
    const dispatch = makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination, ledger })(command);
    // Assess
    await expect(dispatch).rejects.toBeInstanceOf(RateLimitedError);
    expect(events).toEqual(['rate-limited']);
    expect(ledger.records.get('cmd-1')?.attempts).toBe(0);
  });

  it('counts 5xx against the breaker and gives up after the attempt bound', async () => {
    // Prepare
    const { erp } = erpDouble({ create: async () => Promise.reject(new TransientError('503')) });
    const { coordination, events } = coordinationDouble();
    const dispatch = makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination, ledger: ledgerDouble(), maxAttempts: 3 });
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
    const dispatch = makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination, ledger: ledgerDouble() })(command);
    // Assess
    await expect(dispatch).rejects.toBeInstanceOf(PermanentError);
    expect(events).toEqual(['succeeded']);
  });
});

describe('ERP dispatch for a waiting workflow', () => {
  const waited: ErpCommand = { ...command, commandId: 'wf-1.refund', taskToken: 'token-1' };

  it('answers the task token with the ERP reference of the effect it created', async () => {
    // Prepare
    const { erp } = erpDouble();
    const { callbacks, answers } = callbacksDouble();
    // Act
    const result = await makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger: ledgerDouble(), callbacks })(waited);
    // Assess
    expect(result.outcome).toBe('created');
    expect(answers).toEqual([{ taskToken: 'token-1', output: { erpReference: 'ERP-1' } }]);
  });

  it('answers the task token with the reference of the effect an earlier attempt created', async () => {
    // Prepare: the earlier attempt reached the ERP but never reached the ledger.
    const { erp } = erpDouble({ findEffect: async () => ({ erpReference: 'ERP-7', replayed: true }) });
    const ledger = ledgerDouble();
    await ledger.start('wf-1.refund');
    const { callbacks, answers } = callbacksDouble();
    // Act
    const result = await makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger, callbacks })(waited);
    // Assess
    expect(result.outcome).toBe('found-existing');
    expect(answers).toEqual([{ taskToken: 'token-1', output: { erpReference: 'ERP-7' } }]);
  });

  it('answers the task token again, without calling the ERP, for a command already done', async () => {
    // Prepare
    const ledger = ledgerDouble();
    ledger.records.set('wf-1.refund', { status: 'done', attempts: 0, erpReference: 'ERP-3' });
    const { erp, created } = erpDouble();
    const { callbacks, answers } = callbacksDouble();
    // Act
    const result = await makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger, callbacks })({ ...waited, taskToken: 'token-2' });
    // Assess
    expect(result).toMatchObject({ outcome: 'already-done', erpCalls: 0 });
    expect(created).toEqual([]);
    expect(answers).toEqual([{ taskToken: 'token-2', output: { erpReference: 'ERP-3' } }]);
  });

  it.each([
    ['a permanent refusal', new PermanentError('POST /salesCreditMemos answered 400', { status: 400, body: { error: { code: 'BadRequest', message: 'Customer is blocked' } } }), 'Erp.Permanent', /Customer is blocked/],
    ['an invalid command', new ValidationError('The ERP command has no lines'), 'Erp.Permanent', /no lines/],
    ['an out-of-stock refusal', new OutOfStockError('MUG-BLUE is out of stock'), 'Erp.OutOfStock', /MUG-BLUE is out of stock/],
  ])('fails the task token on %s and acknowledges the message', async (_, refusal, errorName, cause) => {
    // Prepare
    const { erp } = erpDouble({ create: async () => Promise.reject(refusal) });
    const { callbacks, answers } = callbacksDouble();
    // Act
    const result = await makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger: ledgerDouble(), callbacks })(waited);
    // Assess
    expect(result).toMatchObject({ outcome: 'failed', error: errorName });
    expect(answers).toEqual([{ taskToken: 'token-1', error: errorName, cause: expect.stringMatching(cause) }]);
    expect(answers[0]!.cause).toContain('wf-1.refund');
  });

  it('fails the task token once retries are exhausted, and gives a person\'s retry a full set of attempts', async () => {
    // Prepare
    const { erp } = erpDouble({ create: async () => Promise.reject(new TransientError('503')) });
    const ledger = ledgerDouble();
    const { callbacks, answers } = callbacksDouble();
    const dispatch = makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger, callbacks, maxAttempts: 2 });
    await expect(dispatch(waited)).rejects.toBeInstanceOf(TransientError);
    // Act
    const result = await dispatch(waited);
    // Assess
    expect(result).toMatchObject({ outcome: 'failed', error: 'Erp.Permanent' });
    expect(answers).toEqual([{ taskToken: 'token-1', error: 'Erp.Permanent', cause: expect.stringContaining('failed 2 attempts') }]);
    expect(ledger.records.get('wf-1.refund')?.attempts).toBe(0);
    await expect(dispatch({ ...waited, taskToken: 'token-retry' })).rejects.toBeInstanceOf(TransientError);
  });

  it.each([
    ['a 5xx', { create: async () => Promise.reject(new TransientError('503')) }, {}, TransientError],
    ['a 429', { create: async () => Promise.reject(new RateLimitedError('429', 3)) }, {}, RateLimitedError],
    ['an open breaker', {}, { admit: async () => ({ action: 'wait' as const, waitMs: 1000 }) }, DeferredError],
  ])('leaves the task token alone on %s, so the queue retries', async (_, behaviour, coordinationOverrides, ErrorClass) => {
    // Prepare
    const { erp } = erpDouble(behaviour);
    const { coordination } = coordinationDouble(coordinationOverrides);
    const { callbacks, answers } = callbacksDouble();
    // Act
    const dispatch = makeErpDispatch({ erp, coordination, ledger: ledgerDouble(), callbacks })(waited);
    // Assess
    await expect(dispatch).rejects.toBeInstanceOf(ErrorClass);
    expect(answers).toEqual([]);
  });

  it('answers nothing and still dead-letters a permanent refusal of a command without a task token', async () => {
    // Prepare
    const { erp } = erpDouble({ create: async () => Promise.reject(new OutOfStockError('out of stock')) });
    const { callbacks, answers } = callbacksDouble();
    // Act
    const dispatch = makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger: ledgerDouble(), callbacks })(command);
    // Assess
    await expect(dispatch).rejects.toBeInstanceOf(OutOfStockError);
    expect(answers).toEqual([]);
  });

  it('answers nothing for a command without a task token that succeeds', async () => {
    // Prepare
    const { erp } = erpDouble();
    const { callbacks, answers } = callbacksDouble();
    // Act
    const result = await makeErpDispatch({ erp, coordination: coordinationDouble().coordination, ledger: ledgerDouble(), callbacks })(command);
    // Assess
    expect(result.outcome).toBe('created');
    expect(answers).toEqual([]);
  });
});

describe('ERP commands', () => {
  it.each([
    ['a command of an unknown type, naming the field', '{"commandId":"x","type":"teleport"}', /type: Invalid option/],
    ['a body that is not JSON', 'nope', /not valid JSON/],
    ['an empty task token', JSON.stringify({ commandId: 'x', type: 'refund.issue', orderId: 'SO-1', correlationId: 'c', requestedAt: '2026-11-27T10:00:00Z', taskToken: '' }), /taskToken/],
  ])('refuses %s', (_, body, expected) => {
    // Act
    const parse = () => parseErpCommand(body);
    // Assess
    expect(parse).toThrow(expected);
  });

  it('fails the task token of a malformed command a workflow waits on, instead of dead-lettering it', async () => {
    // Prepare
    const { callbacks, answers } = callbacksDouble();
    const body = JSON.stringify({ ...command, type: 'teleport', taskToken: 'token-9' });
    // Act
    const parsed = await parseErpCommandOrFailWaiting(body, callbacks);
    // Assess
    expect(parsed).toBeUndefined();
    expect(answers).toEqual([{ taskToken: 'token-9', error: 'Erp.Permanent', cause: expect.stringContaining('type: Invalid option') }]);
  });

  it.each([
    ['without a task token', JSON.stringify({ ...command, type: 'teleport' })],
    ['that is not JSON', 'nope'],
  ])('dead-letters a malformed command %s', async (_, body) => {
    // Prepare
    const { callbacks, answers } = callbacksDouble();
    // Act
    const parsing = parseErpCommandOrFailWaiting(body, callbacks);
    // Assess
    await expect(parsing).rejects.toBeInstanceOf(ValidationError);
    expect(answers).toEqual([]);
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
    await makeErpDispatch({ callbacks: callbacksDouble().callbacks, erp, coordination, ledger: ledgerDouble(), sleep, now: () => clock })(command);
    // Assess
    expect(reserved).toEqual([0, 110]);
    expect(created).toEqual(['cmd-1']);
  });
});

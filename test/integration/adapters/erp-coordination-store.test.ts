import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { makeDynamoDbCommandLedger, makeDynamoDbErpCoordination } from '../../../functions/adapters/erp-coordination-store';
import { makeBusinessCentralErp } from '../../../functions/adapters/erp-business-central';
import type { ErpCommand } from '../../../functions/core/canonical/erp-command';
import { DEFAULT_BREAKER_CONFIG } from '../../../functions/core/erp/circuit-breaker';
import { makeErpGate } from '../../../functions/core/erp/gate';
import { defaultRateBudgetConfig } from '../../../functions/core/erp/rate-budget';
import { DeferredError, TransientError } from '../../../functions/core/errors';
import { makeErpDispatch } from '../../../functions/erp-dispatcher/dispatch';
import { erpLimit } from '../../../ops/overview';
import { startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';
import { createHashKeyTable, eventually, uniqueStage, useEmulator } from '../../support/emulator';

describe('shared ERP coordination in DynamoDB (emulator)', () => {
  let client: DynamoDBClient;
  let tableName: string;

  beforeAll(async () => {
    useEmulator();
    client = new DynamoDBClient({});
    tableName = `${uniqueStage('coord')}-coordination`;
    await createHashKeyTable(client, tableName, 'pk');
  });
  afterAll(() => client.destroy());

  /** The coordination's clock: real time, moved forward by the tests that wait out a breaker's cooldown. */
  let skippedMs = 0;
  const now = () => Date.now() + skippedMs;
  const skip = (ms: number) => void (skippedMs += ms);
  const coordination = (name: string, requestsPerSecond = 10, breaker = { ...DEFAULT_BREAKER_CONFIG, failureThreshold: 3, cooldownMs: 1500, probeLeaseMs: 2000 }) =>
    makeDynamoDbErpCoordination(client, { tableName, name, rateBudget: defaultRateBudgetConfig(requestsPerSecond), customerShare: 0.7, breaker, now });

  it('holds the rate budget across several concurrent consumers', async () => {
    // Prepare
    const limit = 10;
    const sent: number[] = [];
    const consumer = async () => {
      // Each consumer is its own instance, as separate Lambda instances would be, and sends through the
      // gate as the product does (a send that wakes up too late for its slot takes a new one).
      const gate = makeErpGate({ coordination: coordination('budget-test', limit), priority: 'customer' });
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        await gate(async () => void sent.push(Date.now())).catch((error: unknown) => {
          if (!(error instanceof DeferredError)) throw error;
        });
      }
    };

    // Act
    await Promise.all([consumer(), consumer(), consumer(), consumer()]);

    // Assess
    sent.sort((a, b) => a - b);
    const busiestSecond = Math.max(...sent.map((start) => sent.filter((at) => at >= start && at < start + 1000).length));
    expect(busiestSecond).toBeLessThanOrEqual(limit);
    // Sends happened; how many depends on the emulator's speed on this machine (bench:erp measures the
    // achieved rate), so the rule here is only that the budget held.
    expect(sent.length).toBeGreaterThan(0);
  });

  it("records its configured limit and margin with every booking, which ops overview reads as the stage's budget until a 429 cuts it", async () => {
    // Prepare
    // A clock of its own: the cut rate climbs 0.35/s on the real one.
    const clockMs = Date.now();
    const gate = makeDynamoDbErpCoordination(client, { tableName, name: 'configured-test', rateBudget: defaultRateBudgetConfig(7, 60), customerShare: 0.7, breaker: DEFAULT_BREAKER_CONFIG, now: () => clockMs });
    const budgetItem = async () => (await DynamoDBDocumentClient.from(client).send(new GetCommand({ TableName: tableName, Key: { pk: 'RATE#configured-test' }, ConsistentRead: true }))).Item;

    // Act: the first booking finds the schedule idle, the second books the next slot.
    await gate.reserveSlot(5000, 'bulk');
    await gate.reserveSlot(5000, 'customer');
    const booked = await budgetItem();
    await gate.rateLimited();
    const cut = await budgetItem();

    // Assess
    expect(booked).toMatchObject({ configuredRate: 7, marginMs: 60 });
    expect(gate.maxLatenessMs).toBe(30);
    expect(erpLimit(booked, new Date(clockMs))).toEqual({ limitPerSecond: 7, limitSource: 'stage' });
    // Halved from the ceiling, 7 × 1000 / 1060 = 6.60/s.
    expect(erpLimit(cut, new Date(clockMs))).toEqual({ limitPerSecond: 3.3, limitSource: 'adaptive' });
  });

  it('books ahead of now by its own booking time, so on a slow store the slot is not already past when granted', async () => {
    // Prepare: a store whose every request takes 60 ms of this coordination's clock
    let clockMs = Date.now();
    const slow = new DynamoDBClient({});
    slow.middlewareStack.add((next) => async (args) => ((clockMs += 60), next(args)), { step: 'initialize', name: 'slowStore' });
    const instance = makeDynamoDbErpCoordination(slow, { tableName, name: 'lead-test', rateBudget: defaultRateBudgetConfig(2), customerShare: 0.7, breaker: DEFAULT_BREAKER_CONFIG, now: () => clockMs });
    const pastBy: number[] = [];

    // Act: bookings with the schedule idle between them, as when the pipeline cannot keep it busy
    for (let booking = 0; booking < 4; booking++) {
      const slot = await instance.reserveSlot(2000, 'customer');
      if (!slot.granted) throw new Error('a slot of an idle schedule was refused');
      pastBy.push(clockMs - slot.slotAt!);
      clockMs += 5000;
    }
    slow.destroy();

    // Assess: the first booking, not yet timed, is for the moment it was asked; the later ones come back before their slot
    expect(pastBy[0]).toBeGreaterThan(0);
    for (const late of pastBy.slice(1)) expect(late).toBeLessThanOrEqual(0);
  });

  it('refuses a slot further ahead than the caller will wait', async () => {
    // Prepare
    const shared = coordination('ahead-test', 1);
    expect((await shared.reserveSlot(100, 'customer')).granted).toBe(true);

    // Act
    const next = await shared.reserveSlot(100, 'customer');

    // Assess
    expect(next).toEqual({ granted: false, waitMs: expect.any(Number) });
  });

  it('halves the shared rate after a 429, once however many instances report it', async () => {
    // Prepare
    const [first, second] = [coordination('aimd-test', 10), coordination('aimd-test', 10)];
    await first.reserveSlot(2000, 'customer');

    // Act
    await Promise.all([first.rateLimited(), second.rateLimited()]);

    // Assess: at 4.75/s the slots are ~210 ms apart.
    const a = await second.reserveSlot(5000, 'customer');
    const b = await second.reserveSlot(5000, 'customer');
    // Compared by when the slots are, not by how long each caller waits: the time between the two calls
    // (long on a loaded machine) shortens the second wait but never moves the schedule.
    expect((b as { slotAt: number }).slotAt - (a as { slotAt: number }).slotAt).toBeGreaterThan(150);
  });

  it('opens the breaker for every instance after sustained failures, holds, probes once and closes', async () => {
    // Prepare
    const [first, second] = [coordination('breaker-test'), coordination('breaker-test')];

    // Act and Assess, step by step: sustained failures open it for every instance...
    for (const instance of [first, second, first]) await instance.failed();
    expect((await second.admit()).action).toBe('wait');

    // ...past the cooldown one instance probes while the other waits...
    skip(1600);
    const admissions = await Promise.all([first.admit(), second.admit()]);
    expect(admissions.map((admission) => admission.action).sort()).toEqual(['probe', 'wait']);

    // ...and a successful probe closes it for all.
    await first.succeeded();
    expect((await second.admit()).action).toBe('call');
  });

  it('forgets the failed attempts of a command that failed for good, and records nothing for an unknown command', async () => {
    // Prepare
    const ledger = makeDynamoDbCommandLedger(client, tableName);
    await ledger.start('cmd-reset');
    await ledger.failedAttempt('cmd-reset');
    await ledger.failedAttempt('cmd-reset');

    // Act
    await ledger.resetAttempts('cmd-reset');
    await ledger.resetAttempts('cmd-never-started');

    // Assess
    expect(await ledger.get('cmd-reset')).toEqual({ status: 'started', attempts: 0, lastStartedAt: expect.any(String) });
    expect(await ledger.failedAttempt('cmd-reset')).toBe(1);
    const { Item: unknown } = await DynamoDBDocumentClient.from(client).send(new GetCommand({ TableName: tableName, Key: { pk: 'CMD#cmd-never-started' } }));
    expect(unknown).toBeUndefined();
  });

  describe('dispatcher with the ERP simulator', () => {
    // These commands carry no task token: no workflow waits on them.
    const noWorkflowWaiting = { succeed: async () => undefined, fail: async () => undefined };
    let erpSimulator: ErpSimulator;
    beforeEach(async () => {
      erpSimulator = await startErpSimulator();
    });
    afterEach(() => erpSimulator.close());

    const command = (commandId: string): ErpCommand => ({
      commandId,
      type: 'credit-memo.issue',
      orderId: 'SO-7',
      correlationId: 'msg_7',
      requestedAt: new Date().toISOString(),
      payload: {},
    });
    const dispatcher = (name: string, timeoutMs = 2000) =>
      makeErpDispatch({
        erp: (gate) => makeBusinessCentralErp({ baseUrl: erpSimulator.url, timeoutMs, gate }),
        coordination: coordination(name, 50),
        ledger: makeDynamoDbCommandLedger(client, tableName),
        callbacks: noWorkflowWaiting,
      });

    it('creates no duplicate when the ERP acted but the call timed out', async () => {
      // Prepare: the first call times out, then the ERP acts on it.
      erpSimulator.hangNext(1, 400);
      await expect(dispatcher('timeout-test', 150)(command('cmd-timeout'))).rejects.toBeInstanceOf(TransientError);
      await eventually(async () => erpSimulator.effects.length, (count) => count === 1, 5_000, 20);

      // Act
      const retry = await dispatcher('timeout-test')(command('cmd-timeout'));

      // Assess
      expect(retry.outcome).toBe('found-existing');
      expect(erpSimulator.effects).toHaveLength(1);
      expect(erpSimulator.duplicates()).toBe(0);
    });

    it('creates no duplicate when a message is redelivered after the effect (crash before delete)', async () => {
      // Prepare
      const first = await dispatcher('redelivery-test')(command('cmd-redelivered'));

      // Act
      const redelivered = await dispatcher('redelivery-test')(command('cmd-redelivered'));

      // Assess
      expect([first.outcome, redelivered.outcome]).toEqual(['created', 'already-done']);
      expect(erpSimulator.effects).toHaveLength(1);
    });

    it('creates one effect when duplicate messages of a command are dispatched one after another by different instances', async () => {
      // Act
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push((await dispatcher('duplicates-test')(command('cmd-dup'))).outcome);

      // Assess
      expect(outcomes).toEqual(['created', 'already-done', 'already-done']);
      expect(erpSimulator.effects).toHaveLength(1);
    });

    it('stops calling the ERP once the breaker opens during an outage, and resumes after recovery', async () => {
      // Prepare
      erpSimulator.outageUntil(Date.now() + 60_000);
      const dispatch = makeErpDispatch({
        erp: (gate) => makeBusinessCentralErp({ baseUrl: erpSimulator.url, gate }),
        coordination: coordination('outage-test', 50, { ...DEFAULT_BREAKER_CONFIG, failureThreshold: 3, cooldownMs: 800, probeLeaseMs: 2000 }),
        ledger: makeDynamoDbCommandLedger(client, tableName),
        callbacks: noWorkflowWaiting,
      });

      // Act and Assess: three failures open the breaker, after which the ERP is not called...
      const errors = [];
      for (let i = 0; i < 6; i++) errors.push(await dispatch(command(`cmd-outage-${i}`)).catch((e: unknown) => e));
      expect(errors.slice(0, 3).every((error) => error instanceof TransientError)).toBe(true);
      expect(errors.slice(3).every((error) => error instanceof DeferredError)).toBe(true);
      expect(erpSimulator.stats.calls).toBe(3);

      // ...and once the ERP recovers and the cooldown has passed, the commands go through.
      erpSimulator.outageUntil(0);
      skip(900);
      // Each had been tried, so each is looked up first (2 calls), found missing, then created.
      for (const id of ['cmd-outage-0', 'cmd-outage-1']) expect(await dispatch(command(id))).toMatchObject({ outcome: 'created', erpCalls: 2 });
      expect(erpSimulator.duplicates()).toBe(0);
    });
  });
});

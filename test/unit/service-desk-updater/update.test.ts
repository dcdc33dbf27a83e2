import type { OrderStatusChangedDetail } from '../../../functions/core/canonical/events';
import { PermanentError, TransientError } from '../../../functions/core/errors';
import type { ServiceDeskPort } from '../../../functions/core/ports/service-desk';
import type { SyncStateStore } from '../../../functions/core/ports/sync-state-store';
import type { CaseOrderView } from '../../../functions/core/sync-state';
import { makeServiceDeskUpdater } from '../../../functions/service-desk-updater/update';

const event = (version: number, status = 'shipped'): OrderStatusChangedDetail => ({
  eventId: `evt_${version}`,
  correlationId: 'msg_1',
  schemaVersion: 1,
  origin: { system: 'erp', deliveryId: 'msg_1', type: 'order.status.changed' },
  receivedAt: '2026-11-27T10:00:00Z',
  data: { orderId: 'SO-1', status: status as never, version, occurredAt: '2026-11-27T10:00:00Z' },
});

/**
 * A desk double holding cases in memory, with an optimistic lock like Zendesk's safe_update; it answers an
 * update with the case as it now holds it. A lost update answers with the case as it was.
 */
const deskDouble = (cases: Record<string, Omit<CaseOrderView, 'caseId'>>, links: string[] = Object.keys(cases)) => {
  const writes: Array<{ caseId: string; version: number }> = [];
  let conflictsToInject = 0;
  let updatesToLose = 0;
  const desk: ServiceDeskPort = {
    findCasesForOrder: async () => links,
    getCase: async (caseId) => ({ caseId, ...cases[caseId]! }),
    async setOrderStatus(caseId, snapshot, revision) {
      if (conflictsToInject > 0) {
        conflictsToInject--;
        cases[caseId]!.revision += '+someone';
        throw new TransientError('409', { conflict: true });
      }
      if (cases[caseId]!.revision !== revision) throw new TransientError('409', { conflict: true });
      writes.push({ caseId, version: snapshot.version });
      if (updatesToLose > 0) {
        updatesToLose--;
        cases[caseId] = { ...cases[caseId]!, revision: revision + '+1' };
      } else {
        cases[caseId] = { orderStatus: snapshot.status, orderVersion: snapshot.version, revision: revision + '+1' };
      }
      return { caseId, ...cases[caseId]! };
    },
  };
  return { desk, writes, injectConflicts: (count: number) => (conflictsToInject = count), loseUpdates: (count: number) => (updatesToLose = count) };
};

const storeDouble = () => {
  const recorded: unknown[] = [];
  const store: SyncStateStore = {
    recordErpStatus: async () => 'applied',
    recordServiceDeskStatus: async (orderId, shown) => {
      recorded.push({ orderId, ...shown });
      return 'applied';
    },
    getOrder: async () => undefined,
  };
  return { store, recorded };
};

const clock = { now: () => new Date('2026-11-27T10:00:01Z') };

describe('service desk updater', () => {
  it('pushes the status to every linked case and records what the desk shows', async () => {
    // Prepare
    const { desk, writes } = deskDouble({ '7': { revision: 'a' }, '8': { orderVersion: 1, orderStatus: 'confirmed', revision: 'b' } });
    const { store, recorded } = storeDouble();
    // Act
    const result = await makeServiceDeskUpdater({ desk, store, clock })(event(2));
    // Assess
    expect(writes).toEqual([{ caseId: '7', version: 2 }, { caseId: '8', version: 2 }]);
    expect(recorded).toEqual([{ orderId: 'SO-1', status: 'shipped', version: 2, caseIds: ['7', '8'], verified: true }]);
    expect(result).toMatchObject({ recorded: 'applied', unverifiedCaseIds: [] });
  });

  it('records the write as unverified when a case the desk returns does not show it', async () => {
    // Prepare
    const deskState = deskDouble({ '7': { revision: 'a' }, '8': { orderVersion: 1, orderStatus: 'confirmed', revision: 'b' } });
    deskState.loseUpdates(1);
    const { store, recorded } = storeDouble();
    // Act
    const result = await makeServiceDeskUpdater({ desk: deskState.desk, store, clock })(event(2));
    // Assess: the write is recorded (reconciliation compares against it), but not as verified; no retry now.
    expect(deskState.writes).toEqual([{ caseId: '7', version: 2 }, { caseId: '8', version: 2 }]);
    expect(recorded).toEqual([{ orderId: 'SO-1', status: 'shipped', version: 2, caseIds: ['7', '8'], verified: false }]);
    expect(result.unverifiedCaseIds).toEqual(['7']);
  });

  it('records the write as unverified when the desk answers an update without the case', async () => {
    // Prepare
    const deskState = deskDouble({ '7': { revision: 'a' } });
    const desk: ServiceDeskPort = { ...deskState.desk, setOrderStatus: async (...args) => void (await deskState.desk.setOrderStatus(...args)) };
    const { store, recorded } = storeDouble();
    // Act
    const result = await makeServiceDeskUpdater({ desk, store, clock })(event(2));
    // Assess
    expect(recorded).toEqual([expect.objectContaining({ version: 2, verified: false })]);
    expect(result.unverifiedCaseIds).toEqual(['7']);
  });

  it('never moves a case back to an older version', async () => {
    // Prepare
    const { desk, writes } = deskDouble({ '7': { orderVersion: 5, orderStatus: 'delivered', revision: 'a' } });
    const { store, recorded } = storeDouble();
    // Act
    const result = await makeServiceDeskUpdater({ desk, store, clock })(event(3));
    // Assess
    expect(writes).toEqual([]);
    expect(recorded).toEqual([]);
    expect(result.decisions).toEqual({ '7': 'case-has-newer' });
  });

  it('writes nothing again on a redelivery but records the desk state, verified by the read that found it current', async () => {
    // Prepare
    const { desk, writes } = deskDouble({ '7': { orderVersion: 2, orderStatus: 'shipped', revision: 'a' } });
    const { store, recorded } = storeDouble();
    // Act
    await makeServiceDeskUpdater({ desk, store, clock })(event(2));
    // Assess
    expect(writes).toEqual([]);
    expect(recorded).toEqual([expect.objectContaining({ version: 2, verified: true })]);
  });

  it('re-reads and retries when someone changed the case meanwhile', async () => {
    // Prepare
    const deskState = deskDouble({ '7': { revision: 'a' } });
    deskState.injectConflicts(2);
    const { store } = storeDouble();
    // Act
    await makeServiceDeskUpdater({ desk: deskState.desk, store, clock })(event(2));
    // Assess
    expect(deskState.writes).toEqual([{ caseId: '7', version: 2 }]);
  });

  it('gives the message back to the queue after repeated conflicts', async () => {
    // Prepare
    const deskState = deskDouble({ '7': { revision: 'a' } });
    deskState.injectConflicts(10);
    const { store } = storeDouble();
    // Act
    const update = makeServiceDeskUpdater({ desk: deskState.desk, store, clock })(event(2));
    // Assess
    await expect(update).rejects.toBeInstanceOf(TransientError);
  });

  it('records nothing when no case is linked to the order', async () => {
    // Prepare
    const { desk } = deskDouble({}, []);
    const { store, recorded } = storeDouble();
    // Act
    const result = await makeServiceDeskUpdater({ desk, store, clock })(event(2));
    // Assess
    expect(result.recorded).toBe('no-linked-case');
    expect(recorded).toEqual([]);
  });

  it('lets a permanent desk error through for the DLQ', async () => {
    // Prepare
    const { store } = storeDouble();
    const desk: ServiceDeskPort = {
      findCasesForOrder: async () => {
        throw new PermanentError('403 forbidden');
      },
      getCase: jest.fn(),
      setOrderStatus: jest.fn(),
    };
    // Act
    const update = makeServiceDeskUpdater({ desk, store, clock })(event(2));
    // Assess
    await expect(update).rejects.toBeInstanceOf(PermanentError);
  });
});

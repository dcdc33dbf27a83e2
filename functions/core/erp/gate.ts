import { DeferredError, PermanentError, RateLimitedError, TransientError } from '../errors';
import type { ErpRequestGate } from '../ports/erp';
import type { ErpCoordination } from '../ports/erp-coordination';
import type { ErpPriority } from './priority-slots';
import { allowedLatenessMs, DEFAULT_MARGIN_MS } from './rate-budget';

/** What the gate saw, for metrics: the breaker kept a call back, the budget was booked out, the ERP said 429. */
export type ErpGateSignal = 'breaker-open' | 'budget-booked' | 'rate-limited' | 'send-late';

export interface ErpGateOptions {
  coordination: ErpCoordination;
  /** Whose work passes this gate: customer work goes ahead of bulk work within its share of the budget. */
  priority: ErpPriority;
  /**
   * Gets what a request needs before it can leave (the ERP's credential: a secret read, a token from
   * Entra ID), before a slot is booked: fetched inside the slot, it would make the send leave late,
   * into the ERP second of the slots after it. `ErpPort.ready` / `ErpResolutionReads.ready`.
   */
  ready?: () => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  /** Longest wait for a send slot inside one invocation; when no slot can be had sooner, the work goes back to its queue. */
  maxPacingWaitMs?: number;
  /**
   * How late after its slot a send may still leave; later, the slot is given up and another booked.
   * Default: the coordination's own (half its budget's margin), else 20 ms.
   */
  maxLatenessMs?: number;
  now?: () => number;
  observe?: (signal: ErpGateSignal) => void;
}

/** Slots a call may miss (woken more than `maxLatenessMs` late) before its work goes back to the queue. */
const MAX_LATE_TRIES = 5;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Every request into the ERP passes here: behind the shared circuit breaker and within the shared rate
 * budget, whoever makes it (command dispatch, reconciliation). One request = one slot: the ERP counts
 * requests, so `call` sends exactly one; the Business Central adapters run each request they send through
 * the gate (`BusinessCentralOptions.gate`), a read of several requests and a 401's retry included.
 * The breaker learns from each answer.
 * Customer work goes ahead of bulk work by the priority rule (`./priority-slots.ts`).
 * When the breaker is open or no slot can be had within `maxPacingWaitMs`, the gate throws a
 * `DeferredError` instead of calling, so the work waits in its queue rather than in the Lambda.
 *
 * @example
 * const gate = makeErpGate({ coordination: makeDynamoDbErpCoordination(client, options), priority: 'bulk' });
 * const erp = makeBusinessCentralErp({ baseUrl, gate }); // each request the adapter sends books its own slot
 */
export const makeErpGate = ({ coordination, priority, ready = async () => undefined, sleep = defaultSleep, maxPacingWaitMs = 2000, maxLatenessMs = coordination.maxLatenessMs ?? allowedLatenessMs({ marginMs: DEFAULT_MARGIN_MS }), now = Date.now, observe = () => undefined }: ErpGateOptions): ErpRequestGate =>
  async <T>(call: () => Promise<T>): Promise<T> => {
    const admission = await coordination.admit();
    if (admission.action === 'wait') {
      observe('breaker-open');
      throw new DeferredError('The ERP circuit breaker is open; the work waits in its queue.', Math.ceil(admission.waitMs / 1000) + 1);
    }
    await ready();
    // A send that leaves well after its slot (a stalled event loop, a slow cold start) could land in
    // the same ERP second as later slots: such a slot is given up and a new one taken. A class past
    // its share is told when to ask again, and waits here while that is within the pacing wait.
    const giveUpAt = now() + maxPacingWaitMs;
    for (let tries = 1; ; tries++) {
      const slot = await coordination.reserveSlot(maxPacingWaitMs, priority);
      if (!slot.granted) {
        if (slot.waitMs > maxPacingWaitMs || now() + slot.waitMs > giveUpAt) {
          observe('budget-booked');
          throw new DeferredError('The ERP rate budget is booked further ahead; the work waits in its queue.', Math.ceil(slot.waitMs / 1000));
        }
        await sleep(slot.waitMs);
        tries--;
        continue;
      }
      const slotAt = slot.slotAt ?? now() + slot.waitMs;
      if (slotAt > now()) await sleep(slotAt - now());
      if (now() - slotAt <= maxLatenessMs) break;
      // Never send late: a send past the margin could be over the ERP's limit, however rarely.
      if (tries >= MAX_LATE_TRIES) {
        observe('send-late');
        throw new DeferredError(`Every send slot of ${MAX_LATE_TRIES} booked was missed by more than ${maxLatenessMs} ms (a stalled event loop); the work waits in its queue.`, 1);
      }
    }
    try {
      const result = await call();
      await coordination.succeeded();
      return result;
    } catch (error) {
      if (error instanceof RateLimitedError) {
        observe('rate-limited');
        await coordination.rateLimited();
      } else if (error instanceof TransientError) await coordination.failed();
      // A 4xx proves the ERP is up.
      else if (error instanceof PermanentError) await coordination.succeeded();
      throw error;
    }
  };

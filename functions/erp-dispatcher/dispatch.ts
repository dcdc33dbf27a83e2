import { ErpCommand } from '../core/canonical/erp-command';
import { DeferredError, describeIssues, PermanentError, RateLimitedError, RetriesExhaustedError, TransientError, ValidationError } from '../core/errors';
import type { CommandLedger, ErpCoordination, ErpPort, ErpReceipt } from '../core/erp-port';

/** Parses a queued ERP command; a malformed one is a validation error that goes straight to the DLQ. */
export const parseErpCommand = (body: string): ErpCommand => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError('The ERP command is not JSON.');
  }
  const result = ErpCommand.safeParse(json);
  if (!result.success) {
    const issues = describeIssues(result.error.issues);
    throw new ValidationError(`Invalid ERP command: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return result.data;
};

export interface DispatchDependencies {
  erp: ErpPort;
  coordination: ErpCoordination;
  ledger: CommandLedger;
  sleep?: (ms: number) => Promise<void>;
  /** Failed attempts (5xx, timeouts) before a command goes to the DLQ. */
  maxAttempts?: number;
  /** Longest wait for a send slot inside one invocation; when the schedule is booked further ahead, the message goes back to the queue. */
  maxPacingWaitMs?: number;
  /** How late after its slot a send may still leave. */
  maxLatenessMs?: number;
  now?: () => number;
}

export type DispatchOutcome = { outcome: 'created' | 'found-existing' | 'already-done'; receipt: ErpReceipt; erpCalls: number };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Executes one ERP command at most once, within the shared rate budget and behind the shared breaker.
 * A command already done is acknowledged without calling the ERP; a command that may have reached the
 * ERP before (a crash, a timeout) is first looked up by its id, so a retry never creates a second effect.
 */
export const makeErpDispatch = ({ erp, coordination, ledger, sleep = defaultSleep, maxAttempts = 8, maxPacingWaitMs = 2000, maxLatenessMs = 25, now = Date.now }: DispatchDependencies) => {
  const callErp = async <T>(counter: { erpCalls: number }, call: () => Promise<T>): Promise<T> => {
    const admission = await coordination.admit();
    if (admission.action === 'wait') {
      throw new DeferredError('The ERP circuit breaker is open; the command waits in the queue.', Math.ceil(admission.waitMs / 1000) + 1);
    }
    // A send that leaves well after its slot (a stalled event loop, a slow cold start) could land in
    // the same ERP second as later slots: such a slot is given up and a new one taken.
    for (let tries = 1; ; tries++) {
      const slot = await coordination.reserveSlot(maxPacingWaitMs);
      if (!slot.granted) throw new DeferredError('The ERP rate budget is booked further ahead; the command waits in the queue.', Math.ceil(slot.waitMs / 1000));
      const slotAt = now() + slot.waitMs;
      if (slot.waitMs > 0) await sleep(slot.waitMs);
      if (now() - slotAt <= maxLatenessMs || tries >= 5) break;
    }
    counter.erpCalls++;
    try {
      const result = await call();
      await coordination.succeeded();
      return result;
    } catch (error) {
      if (error instanceof RateLimitedError) await coordination.rateLimited();
      else if (error instanceof TransientError) await coordination.failed();
      // A 4xx proves the ERP is up.
      else if (error instanceof PermanentError) await coordination.succeeded();
      throw error;
    }
  };

  return async (command: ErpCommand): Promise<DispatchOutcome> => {
    const counter = { erpCalls: 0 };
    const previous = await ledger.start(command.commandId);
    if (previous?.status === 'done') {
      return { outcome: 'already-done', receipt: { erpReference: previous.erpReference ?? '', replayed: true }, erpCalls: 0 };
    }
    try {
      // Only a command that may already have reached the ERP needs the lookup.
      const existing = previous ? await callErp(counter, () => erp.findEffect(command)) : undefined;
      const receipt = existing ?? (await callErp(counter, () => erp.create(command)));
      await ledger.done(command.commandId, receipt);
      return { outcome: existing ? 'found-existing' : 'created', receipt, erpCalls: counter.erpCalls };
    } catch (error) {
      if (error instanceof TransientError && !(error instanceof RateLimitedError)) {
        const attempts = await ledger.failedAttempt(command.commandId);
        if (attempts >= maxAttempts) {
          throw new RetriesExhaustedError(`The ERP failed ${attempts} attempts: ${error.message}`, error.context);
        }
      }
      throw error;
    }
  };
};

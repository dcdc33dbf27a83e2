import { ErpCommand } from '../core/canonical/erp-command';
import { parseJsonAs } from '../core/canonical/parse';
import { DomainError, OutOfStockError, PermanentError, RateLimitedError, RetriesExhaustedError, TransientError, ValidationError } from '../core/errors';
import { makeErpGate, type ErpGateOptions } from '../core/erp/gate';
import { priorityOfCommand, type ErpPriority } from '../core/erp/priority-slots';
import type { CommandLedger } from '../core/ports/command-ledger';
import type { ErpPort, ErpReceipt, ThroughErpGate } from '../core/ports/erp';
import type { ErpCoordination } from '../core/ports/erp-coordination';
import type { TaskCallbacks } from '../core/ports/workflow-tasks';

/** Parses a queued ERP command; a malformed one is a validation error that goes straight to the DLQ. */
export const parseErpCommand = (body: string): ErpCommand => parseJsonAs(ErpCommand, body, 'The ERP command', { problem: 'Invalid ERP command' });

/**
 * Parses a queued ERP command. A malformed command that still names a waiting workflow's task token
 * fails the token (`Erp.Permanent`) and yields nothing, so the workflow parks it for a person at once
 * instead of waiting out its task timeout; any other malformed command throws for the DLQ.
 */
export const parseErpCommandOrFailWaiting = async (body: string, callbacks: TaskCallbacks): Promise<ErpCommand | undefined> => {
  try {
    return parseErpCommand(body);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const taskToken = ErpCommand.shape.taskToken.safeParse(parsedOrUndefined(body)?.taskToken);
    if (!taskToken.success || taskToken.data === undefined) throw error;
    const issues = error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    await callbacks.fail(taskToken.data, 'Erp.Permanent', `The ERP command is invalid and was not sent to the ERP: ${issues || error.message}`);
    return undefined;
  }
};

const parsedOrUndefined = (body: string): Record<string, unknown> | undefined => {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

export interface DispatchDependencies extends Omit<ErpGateOptions, 'coordination' | 'priority' | 'ready'> {
  /** The ERP adapter, built around a gate: each request it sends books its own slot (a cancellation's read and delete: two). */
  erp: ThroughErpGate<ErpPort>;
  coordination: ErpCoordination;
  ledger: CommandLedger;
  /** Answers the task token of a command a workflow waits on. */
  callbacks: TaskCallbacks;
  /** Failed attempts (5xx, timeouts) before a command goes to the DLQ. */
  maxAttempts?: number;
}

export type DispatchOutcome =
  | { outcome: 'created' | 'found-existing' | 'already-done'; receipt: ErpReceipt; erpCalls: number }
  /** Failed for good, and the waiting workflow was told: the message is done, the workflow owns the failure. */
  | { outcome: 'failed'; error: ErpTaskError; cause: string; erpCalls: number };

/** Error names a workflow's `Catch` matches on an ERP task. */
export type ErpTaskError = 'Erp.OutOfStock' | 'Erp.Permanent';

/** Failures no retry of the message can fix; anything else (breaker open, 429, 5xx) comes back through the queue. */
const finalFailure = (error: unknown): ErpTaskError | undefined => {
  if (error instanceof OutOfStockError) return 'Erp.OutOfStock';
  if (error instanceof PermanentError || error instanceof ValidationError || error instanceof RetriesExhaustedError) return 'Erp.Permanent';
  return undefined;
};

/** What the ERP said, for the person who looks at the parked workflow. */
const causeOf = (command: ErpCommand, error: DomainError): string => {
  const erpError = (error.context.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const erpSaid = erpError && typeof erpError.message === 'string' ? ` The ERP said: ${String(erpError.code ?? 'error')}: ${erpError.message}` : '';
  return `${command.type} ${command.commandId} for order ${command.orderId} failed: ${error.message}.${erpSaid}`;
};

/**
 * Executes one ERP command at most once, within the shared rate budget and behind the shared breaker.
 * A command already done is acknowledged without calling the ERP; a command that may have reached the
 * ERP before (a crash, a timeout) is first looked up by its id, so a retry never creates a second effect.
 *
 * A command with a task token has a workflow waiting on it: the token gets the ERP reference once the
 * effect exists (however it was found), or the failure once no retry can fix it. Such a failure is then
 * the workflow's to handle (it parks it for a person), so the message is acknowledged rather than
 * dead-lettered, and the command's failed attempts are forgotten so that a person's retry starts afresh.
 */
export const makeErpDispatch = ({ erp, coordination, ledger, callbacks, maxAttempts = 8, ...gateOptions }: DispatchDependencies) => {
  /** The adapter for one command: each request it sends passes the gate of the command's priority, counted. */
  const erpFor = (counter: { erpCalls: number; priority: ErpPriority }): ErpPort => {
    // The credential is got before a slot is booked, never inside it (`ErpGateOptions.ready`).
    const gate = makeErpGate({ coordination, ...gateOptions, ready: async () => port.ready?.(), priority: counter.priority });
    const port = erp((request) =>
      gate(() => {
        counter.erpCalls++;
        return request();
      }),
    );
    return port;
  };

  const execute = async (command: ErpCommand, counter: { erpCalls: number; priority: ErpPriority }): Promise<DispatchOutcome> => {
    const port = erpFor(counter);
    const previous = await ledger.start(command.commandId);
    if (previous?.status === 'done') {
      return { outcome: 'already-done', receipt: { erpReference: previous.erpReference ?? '', replayed: true }, erpCalls: 0 };
    }
    try {
      // Only a command that may already have reached the ERP needs the lookup.
      const existing = previous ? await port.findEffect(command) : undefined;
      const receipt = existing ?? (await port.create(command));
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

  return async (command: ErpCommand): Promise<DispatchOutcome> => {
    // Customer work goes ahead of bulk work in the rate budget (`priorityOfCommand`).
    const counter = { erpCalls: 0, priority: priorityOfCommand(command) };
    const { taskToken } = command;
    if (taskToken === undefined) return execute(command, counter);
    let outcome: DispatchOutcome;
    try {
      outcome = await execute(command, counter);
    } catch (error) {
      const name = finalFailure(error);
      if (name === undefined) throw error;
      const cause = causeOf(command, error as DomainError);
      // Before the answer: should answering fail, the redelivered message still finds the workflow waiting.
      await ledger.resetAttempts(command.commandId);
      await callbacks.fail(taskToken, name, cause);
      return { outcome: 'failed', error: name, cause, erpCalls: counter.erpCalls };
    }
    // A redelivery after a crash between the ledger and this answer answers again (already-done).
    if (outcome.outcome !== 'failed') await callbacks.succeed(taskToken, { erpReference: outcome.receipt.erpReference });
    return outcome;
  };
};

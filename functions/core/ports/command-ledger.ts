import type { ErpReceipt } from './erp';

export interface CommandRecord {
  status: 'started' | 'done';
  attempts: number;
  erpReference?: string;
  /** When the latest attempt started, and when the ERP's answer was recorded (ISO-8601). */
  lastStartedAt?: string;
  doneAt?: string;
}

export interface CommandLedger {
  get(commandId: string): Promise<CommandRecord | undefined>;
  /** Records that an attempt is starting; returns the record as it was before (done, started, or none). */
  start(commandId: string): Promise<CommandRecord | undefined>;
  /** Counts a failed attempt; returns the number of failed attempts so far. */
  failedAttempt(commandId: string): Promise<number>;
  /** Forgets the failed attempts of a command that failed for good, so a person's retry of it gets a full set again. */
  resetAttempts(commandId: string): Promise<void>;
  done(commandId: string, receipt: ErpReceipt): Promise<void>;
}

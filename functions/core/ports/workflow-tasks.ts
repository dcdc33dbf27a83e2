import type { Milestone, WorkflowState, WorkflowTransition } from '../canonical/workflow';
import type { RefundOrReplacementInput } from '../workflows/refund-or-replacement';
import type { OrderForResolution } from '../workflows/resolution-policy';

/** Answers a Step Functions task token (`SendTaskSuccess`, `SendTaskFailure`). */
export interface TaskCallbacks {
  succeed(taskToken: string, output: unknown): Promise<void>;
  /** `error` is the name the definition's `Catch` matches (e.g. `Erp.OutOfStock`). */
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

/** What workflows read from the ERP; every read passes the ERP gate like any other ERP call. */
export interface ErpResolutionReads {
  /** Gets what a request needs in hand (the credential); the ERP gate calls it before booking a send slot. Absent: nothing. */
  ready?(): Promise<void>;
  /** The order with its lines as far as a resolution is concerned; undefined when the ERP has no such order. */
  orderForResolution(orderId: string): Promise<OrderForResolution | undefined>;
  /** Units of the SKU available to sell across locations. */
  availableStock(sku: string): Promise<number>;
}

/** Posts a workflow's milestones on its case. */
export interface CaseMilestones {
  /** Adds the note to the case once per `milestoneKey` (a repeated call is a no-op); `solve` marks the case solved. */
  post(caseId: string, milestoneKey: string, note: string, options: { solve: boolean }): Promise<void>;
}

export interface WorkflowException {
  step: string;
  error: string;
  cause?: string;
}

/** Task tokens a workflow waits on until something outside it happens. */
export interface WorkflowWaits {
  /** Keeps the token until `return.received` names the return authorization. */
  awaitReturn(returnReference: string, taskToken: string, workflowId: string): Promise<void>;
  /** The workflow waiting for a return, if any. */
  returnWait(returnReference: string): Promise<{ taskToken: string; workflowId: string } | undefined>;
  clearReturnWait(returnReference: string): Promise<void>;
  /** Remembers that the warehouse received the return, for a workflow that starts waiting for it only later. */
  recordReceipt(returnReference: string, receivedAt: string): Promise<void>;
  /** The receipt of the return, if the warehouse reported one. */
  receipt(returnReference: string): Promise<{ receivedAt: string } | undefined>;
  /** Keeps the token of a parked workflow until a person decides (retry or abandon). */
  park(workflowId: string, taskToken: string, exception: WorkflowException): Promise<void>;
  parked(workflowId: string): Promise<{ taskToken: string; exception: WorkflowException; parkedAt: string } | undefined>;
  clearParked(workflowId: string): Promise<void>;
}

/** A workflow at a glance: where it stands, for the API, ops and the console. */
export interface WorkflowSummary {
  workflowId: string;
  workflow: WorkflowTransition['workflow'];
  caseId: string;
  orderId: string;
  state: WorkflowState;
  milestone: Milestone;
  startedAt: string;
  updatedAt: string;
  resolution?: 'replacement' | 'refund';
  erpDocuments: Array<NonNullable<WorkflowTransition['erpDocument']>>;
  exception?: WorkflowException;
  /** When the resolution is due under its policy's SLA; set once eligibility is decided. */
  slaDueAt?: string;
  /** When the SLA check first found it overdue (set once). */
  slaBreachedAt?: string;
  /** The order's region and brand, recorded when eligibility was decided (absent before, or if the ERP has none). */
  region?: string;
  brand?: string;
}

export interface WorkflowHistoryEntry {
  at: string;
  milestone: Milestone;
  state: WorkflowState;
  actor: WorkflowTransition['actor'];
  cause: string;
  erpDocument?: WorkflowTransition['erpDocument'];
}

/** The audit trail of every workflow, and its summary. */
export interface WorkflowStore {
  /**
   * Records a transition (its history entry and the summary) once per milestone and time the workflow
   * entered its state; `duplicate` when it was recorded before.
   */
  recordTransition(transition: WorkflowTransition, enteredAt: string): Promise<'recorded' | 'duplicate'>;
  /** The summary and the history, oldest first. */
  get(workflowId: string): Promise<{ summary: WorkflowSummary; history: WorkflowHistoryEntry[] } | undefined>;
  /** Workflows in a state, the longest unchanged first. */
  listByState(state: WorkflowState, limit: number, cursor?: string): Promise<{ workflows: WorkflowSummary[]; nextCursor?: string }>;
  /** Marks the workflow's SLA as breached, once: `already` when it was marked before (or no such workflow was recorded). */
  markSlaBreached(workflowId: string, at: string): Promise<'marked' | 'already'>;
}

/** Starts workflow executions; the workflow id is the execution name, so a second start of the same id starts nothing. */
export interface WorkflowStarter {
  /** `already-started` when an execution of that name exists (running or ended less than 90 days ago). */
  startRefundOrReplacement(input: RefundOrReplacementInput): Promise<'started' | 'already-started'>;
}

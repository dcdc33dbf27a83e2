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

/** Task tokens a workflow waits on until something outside it happens. */
export interface WorkflowWaits {
  /** Keeps the token until `return.received` names the return authorization. */
  awaitReturn(returnReference: string, taskToken: string, workflowId: string): Promise<void>;
  /** Keeps the token of a parked workflow until a person decides (retry or abandon). */
  park(workflowId: string, taskToken: string, exception: { step: string; error: string; cause?: string }): Promise<void>;
}

/** Starts workflow executions; the workflow id is the execution name, so a second start of the same id starts nothing. */
export interface WorkflowStarter {
  /** `already-started` when an execution of that name exists (running or ended less than 90 days ago). */
  startRefundOrReplacement(input: RefundOrReplacementInput): Promise<'started' | 'already-started'>;
}

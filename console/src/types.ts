/** The API's shapes: the ops library's own types (type-only imports: nothing of the server is bundled). */
export type { Overview } from '../../ops/overview';
export type { DelayedEntity, DelayedKind } from '../../ops/delayed';
export type { AuditLine } from '../../ops/audit';
export type { MetricsHistory } from '../../ops/console/console-ops';
export type { Trace, TraceStep } from '../../ops/trace';
export type { DlqMessage, DlqSummary, RedriveProgress, RedriveResult, PurgeResult } from '../../ops/dlq';
export type { WorkflowDetail } from '../../ops/workflows';
export type { WorkflowSummary } from '../../functions/core/ports/workflow-tasks';
export type { ReconcileRun } from '../../functions/core/reconciliation/reconcile-run';
export type { ReconcileOutcome } from '../../ops/reconcile';

export type { Job } from '../../ops/console/jobs';

export const DELAYED_KINDS = ['order', 'refund', 'return', 'workflow', 'erp-command'] as const;


import { z } from 'zod';
import type { ReconcileSettings } from '../functions/core/reconciliation/reconcile-settings';
import { FUNCTIONS } from './topology';

/**
 * Stage settings, read from CDK context (`cdk.json` or `-c key=value`). Every key is documented in
 * the README; a bad value fails synthesis with the key's name.
 */
export const StageConfig = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'lower-case letters, digits and dashes, starting with a letter'),
  erpBaseUrl: z.url(),
  /** The ERP's request budget shared by all dispatcher instances. */
  erpRequestsPerSecond: z.coerce.number().positive().max(1000),
  erpMaxConcurrency: z.coerce.number().int().min(2).max(1000),
  serviceDeskBaseUrl: z.url(),
  serviceDeskMaxConcurrency: z.coerce.number().int().min(2).max(1000),
  /** Secrets Manager secret name per webhook source; each secret holds the source's active signing secrets. */
  webhookSecretNames: z.record(z.string(), z.string().min(1)),
  /** Zendesk ticket custom field holding the order number, and the tag prefix used when there is none. */
  zendeskOrderFieldId: z.coerce.string().default('9000001'),
  zendeskOrderTagPrefix: z.string().default('order_'),
  /** Inventory older than this is flagged stale to agents. */
  inventoryStaleAfterSeconds: z.coerce.number().int().positive().default(900),
  /** How long the event archive keeps events for replay. */
  archiveRetentionDays: z.coerce.number().int().min(1).max(3650).default(90),
  logRetentionDays: z.coerce.number().int().positive().default(30),
  /**
   * SNS topic (ARN) every alarm notifies. Unset: the stack creates `retail-sync-<stage>-alarms`. An existing topic
   * must let cloudwatch.amazonaws.com publish (and, if encrypted, use a customer managed key that allows it).
   */
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS standard topic ARN (arn:aws:sns:<region>:<account>:<name>)')
    .optional(),
  /** ServiceDeskSyncLag p99 above this many seconds raises the sync-lag alarm. */
  syncLagAlarmSeconds: z.coerce.number().int().positive().default(300),
  /** How often reconciliation runs, and how far back each run looks (runs overlap on purpose). */
  reconcileEveryMinutes: z.coerce.number().int().min(1).max(1440).default(15),
  reconcileLookbackMinutes: z.coerce.number().int().min(1).max(7 * 1440).default(120),
  /** ERP changes younger than this are still on their way through the normal path: not drift yet. */
  reconcileGraceSeconds: z.coerce.number().int().min(0).max(86400).default(300),
  /** Orders one reconciler invocation checks (the rest continues in the next), and repairs one run may emit. */
  reconcileMaxOrdersPerInvocation: z.coerce.number().int().min(1).max(5000).default(500),
  reconcileMaxRepairsPerRun: z.coerce.number().int().min(0).max(100000).default(500),
  /** Service-desk reads per second of the reconciler: keep well under the desk's API limit, which the updater shares. */
  reconcileServiceDeskReadsPerSecond: z.coerce.number().positive().max(100).default(2),
  /** How often open workflows are checked against their SLA (breaches publish `workflow.sla.breached` and raise an alarm). */
  workflowSlaCheckEveryMinutes: z.coerce.number().int().min(1).max(1440).default(15),
});
export type StageConfig = z.infer<typeof StageConfig>;

/** Cross-field rules, checked after the per-key ones. */
const stageConfigProblems = (config: StageConfig): string[] =>
  // A change younger than the grace period is left to the next run, so that run must still cover it.
  config.reconcileLookbackMinutes * 60 < config.reconcileEveryMinutes * 60 + config.reconcileGraceSeconds
    ? [
        `  - context "reconcileLookbackMinutes": must cover reconcileEveryMinutes (${config.reconcileEveryMinutes}) plus reconcileGraceSeconds (${config.reconcileGraceSeconds} s), or some changes are never checked`,
      ]
    : [];

const CONTEXT_KEYS = Object.keys(StageConfig.shape) as Array<keyof StageConfig>;

const decodeContextValue = (value: unknown) => {
  // `-c key={"a":"b"}` arrives as a string
  if (typeof value === 'string' && /^[[{]/.test(value.trim())) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
};

/** Reads and validates the stage configuration from a context getter (e.g. `node.tryGetContext`). */
export const readStageConfig = (getContext: (key: string) => unknown): StageConfig => {
  const raw = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, decodeContextValue(getContext(key))]));
  const result = StageConfig.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - context "${issue.path.join('.')}": ${issue.message}`).join('\n');
    throw new Error(`Invalid stage configuration:\n${problems}\nSet these in cdk.json "context" or with -c key=value.`);
  }
  const problems = stageConfigProblems(result.data);
  if (problems.length > 0) throw new Error(`Invalid stage configuration:\n${problems.join('\n')}\nSet these in cdk.json "context" or with -c key=value.`);
  return result.data;
};

/** The reconciler's settings (one JSON environment variable) from the stage configuration. */
export const reconcileSettingsOf = (config: StageConfig): ReconcileSettings => ({
  lookbackSeconds: config.reconcileLookbackMinutes * 60,
  graceSeconds: config.reconcileGraceSeconds,
  maxOrdersPerInvocation: config.reconcileMaxOrdersPerInvocation,
  // A minute of the function's timeout is left to record the slice and hand the rest on.
  maxSliceSeconds: FUNCTIONS.reconciler.timeoutSeconds - 60,
  maxRepairsPerRun: config.reconcileMaxRepairsPerRun,
  serviceDeskReadsPerSecond: config.reconcileServiceDeskReadsPerSecond,
});

export const isProduction = (config: StageConfig) => config.stage === 'prod';

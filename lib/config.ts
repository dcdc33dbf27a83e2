import { z } from 'zod';
import type { ReconcileSettings } from '../functions/core/reconciliation/reconcile-settings';
import type { ServiceDeskFieldIds } from '../functions/adapters/service-desk-zendesk';
import { BusinessCentralStatusMap } from '../functions/core/erp/business-central-orders';
import { WEBHOOK_SOURCES } from '../functions/core/connectors/registry';
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
  /**
   * Share of the ERP budget customer work (workflow commands, refunds, return authorizations,
   * replacement orders) is sure of when bulk work (reconciliation and change-notification reads)
   * also waits; bulk work is sure of the rest (`functions/core/erp/priority-slots.ts`).
   */
  erpPriorityShare: z.coerce.number().gt(0).lt(1).default(0.7),
  /**
   * The ERP budget's safety margin in ms (`marginMs`, `functions/core/erp/rate-budget.ts`): slots are
   * spaced so any R + 1 span 1 s plus this; half of it is how late a send may leave after its slot,
   * half is for the way to the ERP. Widen it for an ERP far away or behind a jittery network.
   */
  erpSendMarginMs: z.coerce.number().int().min(10).max(1000).default(40),
  /**
   * How Business Central's sales order `status` (and `<status>+fullyShipped`, `invoiced`) reads as a
   * canonical order status; unset: the documented values (`functions/core/erp/business-central-orders.ts`).
   */
  erpOrderStatusMap: z.optional(BusinessCentralStatusMap),
  erpMaxConcurrency: z.coerce.number().int().min(2).max(1000),
  serviceDeskBaseUrl: z.url(),
  serviceDeskMaxConcurrency: z.coerce.number().int().min(2).max(1000),
  /** Secrets Manager secret (name) with the ERP's credential: the Entra ID app registration, JSON (README, Deploying). */
  erpCredentialsSecretName: z.string().min(1),
  /** Secrets Manager secret (name) with the service desk's credential: a Zendesk API token or OAuth token, JSON. */
  serviceDeskCredentialsSecretName: z.string().min(1),
  /** Secrets Manager secret name per webhook source; each secret holds the source's active signing secrets. */
  webhookSecretNames: z.record(z.string(), z.string().min(1)),
  /**
   * Zendesk ticket custom fields (ids from the admin's Fields page, per Zendesk account): the order
   * number, and where the product writes the ERP's order status and version; and the tag prefix that
   * names the order when the field is not used.
   */
  zendeskOrderFieldId: z.coerce.number().int().positive(),
  zendeskOrderStatusFieldId: z.coerce.number().int().positive(),
  zendeskOrderVersionFieldId: z.coerce.number().int().positive(),
  zendeskOrderTagPrefix: z.string().default('order_'),
  /** Inventory older than this is flagged stale to agents. */
  inventoryStaleAfterSeconds: z.coerce.number().int().positive().default(900),
  /** How long the event archive keeps events for replay. */
  archiveRetentionDays: z.coerce.number().int().min(1).max(3650).default(90),
  logRetentionDays: z.coerce.number().int().positive().default(30),
  /**
   * How callers of the read and process routes authenticate: `iam` (SigV4, `execute-api:Invoke`) or
   * `apiKey` (an API Gateway key of the stage's usage plan, in `x-api-key`), for tools that cannot sign.
   */
  readApiAuth: z.enum(['iam', 'apiKey']).default('iam'),
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
  reconcileMaxOrdersPerInvocation: z.coerce.number().int().min(1).max(20000).default(5000),
  reconcileMaxRepairsPerRun: z.coerce.number().int().min(0).max(100000).default(500),
  /** Service-desk reads per second of the reconciler: keep well under the desk's API limit, which the updater shares. */
  reconcileServiceDeskReadsPerSecond: z.coerce.number().positive().max(100).default(2),
  /** Incremental-export requests per minute of the reconciler (Zendesk: 10 per minute, 30 with the High Volume add-on). */
  reconcileServiceDeskExportRequestsPerMinute: z.coerce.number().positive().max(30).default(10),
  /** How often open workflows are checked against their SLA (breaches publish `workflow.sla.breached` and raise an alarm). */
  workflowSlaCheckEveryMinutes: z.coerce.number().int().min(1).max(1440).default(15),
  /**
   * How often the Business Central subscriptions are checked (created when missing, renewed within a day
   * of their three-day expiry); only when the `businesscentral` source has a secret in `webhookSecretNames`.
   */
  erpSubscriptionCheckEveryMinutes: z.coerce.number().int().min(1).max(1440).default(60),
  /**
   * API Gateway throttling of the webhook route, apart from the read and process routes, so a sender's
   * burst cannot take the agents' reads down with it (and the reverse). Requests per second and burst.
   */
  webhookThrottleRatePerSecond: z.coerce.number().int().min(1).max(10000).default(500),
  webhookThrottleBurst: z.coerce.number().int().min(1).max(5000).default(1000),
  readThrottleRatePerSecond: z.coerce.number().int().min(1).max(10000).default(100),
  readThrottleBurst: z.coerce.number().int().min(1).max(5000).default(200),
  /**
   * WAF rate-based rule on the webhook route: requests per source IP per window before it answers 429.
   * Unset: 3000 in prod, off elsewhere; 0: off. WAF takes at least 10.
   */
  webhookRateLimitPerIp: z.coerce
    .number()
    .int()
    .max(2_000_000_000)
    .refine((limit) => limit === 0 || limit >= 10, 'at least 10 (WAF\'s minimum), or 0 for off')
    .optional(),
  webhookRateLimitWindowSeconds: z.coerce
    .number()
    .refine((seconds) => [60, 120, 300, 600].includes(seconds), 'one of 60, 120, 300, 600 (WAF\'s evaluation windows)')
    .default(300),
  /** Reserved concurrency of the ingest function: caps a webhook flood below the account's limit so the ERP path keeps capacity. */
  ingestReservedConcurrency: z.coerce.number().int().min(1).max(1000).default(50),
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

/** A stage configuration that cannot be deployed; its message lists every problem, one per line. */
export class StageConfigError extends Error {}

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

/** Context keys CDK itself uses: feature flags (`@aws-cdk/…`), its own settings and cached lookups (`aws:…`, `availability-zones:…`). */
const isCdkContextKey = (key: string) => key.startsWith('@') || key.includes(':') || ['acknowledged-issue-numbers', 'cli-telemetry'].includes(key);

/** Hosts that only ever stand for a real system in examples (`erp.example.com`, `example.zendesk.com`): a deployed stage must name its own. */
const PLACEHOLDER_HOST = /(^|\.)example\.(com|org|net)$|^example\./;

const fail = (problems: string[]): never => {
  throw new StageConfigError(`Invalid stage configuration:\n${problems.join('\n')}\nSet these in cdk.json "context" under "stages" (see README, Deploying) or with -c key=value.`);
};

/**
 * Reads and validates the stage configuration from the CDK context (`app.node.getAllContext()`): the
 * stage named by `stage` (`-c stage=prod`), its settings from `stages.<stage>` in cdk.json, and any
 * setting given on the command line (`-c erpBaseUrl=…`) over them. A stage never inherits another
 * stage's values; unknown keys, unknown webhook sources and placeholder hosts outside `dev` are errors.
 */
export const readStageConfig = (context: Record<string, unknown>): StageConfig => {
  const stage = context.stage;
  if (typeof stage !== 'string' || stage === '') fail(['  - context "stage": name the stage to deploy, e.g. -c stage=prod']);
  const stages = (decodeContextValue(context.stages) ?? {}) as Record<string, unknown>;
  const configured = stages[stage as string];
  const own = typeof configured === 'object' && configured !== null ? configured : {};
  const problems: string[] = [];
  for (const key of Object.keys(own as object)) {
    if (key === 'stage' || !CONTEXT_KEYS.includes(key as keyof StageConfig)) problems.push(`  - context "stages.${String(stage)}.${key}": not a stage setting`);
  }
  for (const key of Object.keys(context)) {
    if (key !== 'stages' && !CONTEXT_KEYS.includes(key as keyof StageConfig) && !isCdkContextKey(key)) problems.push(`  - context "${key}": not a stage setting`);
  }
  const overrides = Object.fromEntries(CONTEXT_KEYS.filter((key) => key !== 'stage' && context[key] !== undefined).map((key) => [key, context[key]]));
  const raw = Object.fromEntries(Object.entries({ ...(own as object), ...overrides, stage }).map(([key, value]) => [key, decodeContextValue(value)]));
  const result = StageConfig.safeParse(raw);
  if (!result.success) {
    problems.push(...result.error.issues.map((issue) => `  - context "${issue.path.join('.')}": ${issue.message}`));
    if (own !== configured) {
      problems.push(`  - context "stages.${String(stage)}": stage "${String(stage)}" has no settings in cdk.json (configured: ${Object.keys(stages).join(', ') || 'none'}): add them there or give each with -c`);
    }
    fail(problems);
  }
  const config = result.data!;
  for (const source of Object.keys(config.webhookSecretNames)) {
    if (!WEBHOOK_SOURCES.includes(source)) problems.push(`  - context "webhookSecretNames.${source}": not a webhook source; the sources are ${WEBHOOK_SOURCES.join(', ')}`);
  }
  if (config.stage !== 'dev') {
    for (const key of ['erpBaseUrl', 'serviceDeskBaseUrl'] as const) {
      if (PLACEHOLDER_HOST.test(new URL(config[key]).hostname)) problems.push(`  - context "${key}": ${config[key]} is a placeholder; stage "${config.stage}" must name its own system`);
    }
  }
  problems.push(...stageConfigProblems(config));
  if (problems.length > 0) fail(problems);
  return config;
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
  serviceDeskExportRequestsPerMinute: config.reconcileServiceDeskExportRequestsPerMinute,
});

/** The Zendesk field ids the service-desk adapters write and read (`SERVICE_DESK_FIELD_IDS`). */
export const serviceDeskFieldIdsOf = (config: StageConfig): ServiceDeskFieldIds => ({
  orderId: config.zendeskOrderFieldId,
  orderStatus: config.zendeskOrderStatusFieldId,
  orderVersion: config.zendeskOrderVersionFieldId,
});

export const isProduction = (config: StageConfig) => config.stage === 'prod';

/** The webhook route's WAF rate limit per source IP, or undefined when off (default: on in prod only). */
export const webhookRateLimitOf = (config: StageConfig): { limit: number; windowSeconds: number } | undefined => {
  const limit = config.webhookRateLimitPerIp ?? (isProduction(config) ? 3000 : 0);
  return limit === 0 ? undefined : { limit, windowSeconds: config.webhookRateLimitWindowSeconds };
};

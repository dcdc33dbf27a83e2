/** A function's configuration as variables: `process.env` in Lambda, the topology's `environmentFor` in the local stack. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads a required environment variable, failing the cold start with a message that names it. */
export const requiredEnv = (name: string, environment: Environment = process.env): string => {
  const value = environment[name];
  if (!value) throw new Error(`Environment variable ${name} is required but not set.`);
  return value;
};

export const jsonEnv = <T>(name: string, fallback: T, environment: Environment = process.env): T => {
  const value = environment[name];
  if (!value) return fallback;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new Error(`Environment variable ${name} must be JSON; got ${value.slice(0, 80)}.`);
  }
};

/** The environment variables each function reads; CDK and the local stack set them from one definition. */
export const ENV = {
  eventBusName: 'EVENT_BUS_NAME',
  idempotencyTable: 'IDEMPOTENCY_TABLE_NAME',
  syncStateTable: 'SYNC_STATE_TABLE_NAME',
  coordinationTable: 'COORDINATION_TABLE_NAME',
  erpRequestsPerSecond: 'ERP_REQUESTS_PER_SECOND',
  erpPriorityShare: 'ERP_PRIORITY_SHARE',
  erpSendMarginMs: 'ERP_SEND_MARGIN_MS',
  erpBreakerFailureThreshold: 'ERP_BREAKER_FAILURE_THRESHOLD',
  erpBreakerCooldownSeconds: 'ERP_BREAKER_COOLDOWN_SECONDS',
  erpMaxAttempts: 'ERP_MAX_ATTEMPTS',
  webhookSecretIds: 'WEBHOOK_SECRET_IDS',
  queueUrl: 'QUEUE_URL',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  erpBaseUrl: 'ERP_BASE_URL',
  /** How Business Central's order status reads as a canonical status (JSON; unset: the documented values). */
  erpOrderStatusMap: 'ERP_ORDER_STATUS_MAP',
  /** JSON `{notificationUrl, clientStateSecretId?}`: where Business Central posts, and the `businesscentral` source's secret (absent: the source is off). */
  erpSubscriptions: 'ERP_SUBSCRIPTIONS',
  serviceDeskBaseUrl: 'SERVICE_DESK_BASE_URL',
  /** Secrets Manager secret holding the ERP's credential (Entra ID app registration, JSON). */
  erpCredentialsSecret: 'ERP_CREDENTIALS_SECRET',
  /** Secrets Manager secret holding the service desk's credential (Zendesk API token or OAuth token, JSON). */
  serviceDeskCredentialsSecret: 'SERVICE_DESK_CREDENTIALS_SECRET',
  serviceDeskFieldIds: 'SERVICE_DESK_FIELD_IDS',
  zendeskSettings: 'ZENDESK_SETTINGS',
  timelineTable: 'READ_MODEL_TABLE_NAME',
  inventoryStaleAfterSeconds: 'INVENTORY_STALE_AFTER_SECONDS',
  reconcileSettings: 'RECONCILE_SETTINGS',
  workflowTable: 'WORKFLOW_TABLE_NAME',
  /** JSON: state machine ARN per workflow name. */
  stateMachineArns: 'STATE_MACHINE_ARNS',
  /** JSON: the validated resolution policies (`config/policies`), most specific first. */
  resolutionPolicies: 'RESOLUTION_POLICIES',
  /** The product's version (package.json), set at synthesis. */
  productVersion: 'RETAIL_SYNC_VERSION',
} as const;

export const numberEnv = (name: string, fallback: number, environment: Environment = process.env): number => {
  const value = environment[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`Environment variable ${name} must be a positive number; got ${value}.`);
  return parsed;
};

/** The state machine ARN of each workflow (`STATE_MACHINE_ARNS`), failing the cold start when one is missing. */
export const stateMachineArnsFrom = (environment: Environment = process.env): { refundOrReplacement: string } => {
  const arns = jsonEnv<{ refundOrReplacement?: unknown }>(ENV.stateMachineArns, {}, environment);
  if (typeof arns.refundOrReplacement !== 'string' || !arns.refundOrReplacement) {
    throw new Error(`Environment variable ${ENV.stateMachineArns} must name the refundOrReplacement state machine.`);
  }
  return { refundOrReplacement: arns.refundOrReplacement };
};

/**
 * Audit lines: who did what to which order, message, workflow or run, and whether it worked. Every
 * state-changing ops function (DLQ redrive and purge, workflow retry and abandon, reconcile request,
 * replay) writes them with the operator's own credentials into the stage's audit table
 * (`retail-sync-<stage>-audit`, one partition per target, kept 400 days); `ops trace` shows them.
 */
import { userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { resourceNames } from '../lib/topology';
import type { OpsConnection } from './connection';
import { explainAwsError } from './errors';

export interface AuditLine {
  at: string;
  who: string;
  /** What was done, e.g. `dlq.redrive`, `workflow.retry`, `reconcile.request`. */
  action: string;
  /** What it was done to: `<kind>:<id>`, e.g. `order:SO-1001`, `workflow:rr-…`, `dlq:<queue>`, `run:<runId>`. */
  target: string;
  detail?: Record<string, unknown>;
  outcome: 'ok' | 'failed';
}

/** How long an audit line is kept (DynamoDB TTL). */
export const AUDIT_RETENTION_DAYS = 400;

/** Targets, built one way so the writer and `ops trace` name them alike. */
export const auditTarget = {
  order: (orderId: string) => `order:${orderId}`,
  workflow: (workflowId: string) => `workflow:${workflowId}`,
  delivery: (correlationId: string) => `delivery:${correlationId}`,
  dlq: (queueName: string) => `dlq:${queueName}`,
  run: (runId: string) => `run:${runId}`,
  replay: (name: string) => `replay:${name}`,
};

/**
 * Who acts, with what the CLI and console pass to the state-changing ops functions. Recording never
 * throws: the action it records has already happened, so a line that could not be written is kept in
 * `problems` for the caller to report (the CLI warns on stderr) rather than turned into a failed action.
 */
export interface Auditor {
  who: string;
  record(line: Omit<AuditLine, 'at' | 'who'>): Promise<void>;
  /** Several lines at once (a redrive's per-order lines), in batches of 25. */
  recordMany(lines: Array<Omit<AuditLine, 'at' | 'who'>>): Promise<void>;
  /** Why lines could not be written, one entry per failed write. */
  readonly problems: string[];
}

const auditTableOf = (stage: string) => resourceNames(stage).table('audit');

const writeLines = async (conn: OpsConnection, lines: AuditLine[]) => {
  const documents = DynamoDBDocumentClient.from(conn.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const tableName = auditTableOf(conn.stage);
  for (let start = 0; start < lines.length; start += 25) {
    const batch = lines.slice(start, start + 25).map((line) => ({
      PutRequest: {
        Item: {
          pk: line.target,
          // Time first, so a target's lines read in order; a random tail keeps two lines of one millisecond apart.
          sk: `${line.at}#${randomBytes(4).toString('hex')}`,
          ...line,
          expiresAt: Math.floor(Date.parse(line.at) / 1000) + AUDIT_RETENTION_DAYS * 86400,
        },
      },
    }));
    try {
      let unprocessed: Record<string, unknown>[] | undefined = batch;
      for (let attempt = 0; unprocessed?.length && attempt < 5; attempt++) {
        const answer = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: unprocessed as never } }));
        unprocessed = answer.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
        if (unprocessed?.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
      if (unprocessed?.length) throw new Error(`${unprocessed.length} audit line(s) left unprocessed after 5 attempts`);
    } catch (error) {
      throw explainAwsError(error, `write the audit line(s) to ${tableName} (the operator needs dynamodb:BatchWriteItem on it)`);
    }
  }
};

/**
 * Writes one audit line, stamped now and with `who` (default: {@link whoAmI}).
 *
 * @example
 * await recordAudit(conn, { action: 'workflow.retry', target: auditTarget.workflow(id), outcome: 'ok' });
 */
export async function recordAudit(conn: OpsConnection, line: Omit<AuditLine, 'at' | 'who'>, who?: string): Promise<void> {
  await writeLines(conn, [{ at: new Date().toISOString(), who: who ?? (await whoAmI(conn)), ...line }]);
}

const whoCache = new WeakMap<OpsConnection, Promise<string>>();

/**
 * Who the operator is: the caller's ARN from STS in AWS; `local:<os user>` against an emulator (the
 * local stack), whose STS answers a fixed identity that would name nobody.
 */
export async function whoAmI(conn: OpsConnection): Promise<string> {
  if (conn.endpoint) return `local:${localUser()}`;
  let found = whoCache.get(conn);
  if (!found) {
    found = conn.sts.send(new GetCallerIdentityCommand({})).then(
      (identity) => identity.Arn ?? `account:${identity.Account ?? 'unknown'}`,
      (error: unknown) => {
        whoCache.delete(conn);
        throw explainAwsError(error, 'find who you are (sts:GetCallerIdentity)');
      },
    );
    whoCache.set(conn, found);
  }
  return found;
}

const localUser = () => {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
};

/** An auditor acting as `who` (default: {@link whoAmI}) on the connection's stage. */
export const auditorFor = async (conn: OpsConnection, who?: string): Promise<Auditor> => {
  const actor = who ?? (await whoAmI(conn));
  const stamp = (line: Omit<AuditLine, 'at' | 'who'>): AuditLine => ({ at: new Date().toISOString(), who: actor, ...line });
  const problems: string[] = [];
  const write = (lines: AuditLine[]) => writeLines(conn, lines).catch((error: unknown) => void problems.push((error as Error).message));
  return {
    who: actor,
    record: (line) => write([stamp(line)]),
    recordMany: (lines) => write(lines.map(stamp)),
    problems,
  };
};

/** Every audit line of the targets, oldest first. */
export const readAudit = async (conn: Pick<OpsConnection, 'dynamodb' | 'stage'>, targets: string[]): Promise<AuditLine[]> => {
  const documents = DynamoDBDocumentClient.from(conn.dynamodb);
  const tableName = auditTableOf(conn.stage);
  const lines: AuditLine[] = [];
  for (const target of new Set(targets)) {
    let startKey: Record<string, unknown> | undefined;
    do {
      let page;
      try {
        page = await documents.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': target }, ExclusiveStartKey: startKey }));
      } catch (error) {
        // A stage deployed before the audit table has no lines to show.
        if ((error as Error)?.name === 'ResourceNotFoundException') return lines;
        throw explainAwsError(error, `read the audit lines of ${target} from ${tableName}`);
      }
      for (const { at, who, action, target: on, detail, outcome } of page.Items ?? []) {
        lines.push({ at, who, action, target: on, ...(detail ? { detail } : {}), outcome } as AuditLine);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return lines.sort((a, b) => a.at.localeCompare(b.at));
};

import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { resourceNames } from '../lib/topology';
import { auditTarget, type Auditor } from './audit';
import { explainAwsError, OpsError, UsageError } from './errors';

export interface ReplayRequest {
  stage: string;
  from: Date;
  to: Date;
  /** Only replay to the rules that route these detail types (all rules when empty). */
  detailTypes: string[];
  name?: string;
  /** How long to wait for the replay to finish (0: do not wait). */
  waitSeconds: number;
  /** Who replays: an audit line on the replay (`replay:<name>`) once it started, or failed to. */
  audit?: Auditor;
}

export interface ReplayResult {
  name: string;
  state: string;
  rules: string[];
  archive: string;
}

/** Parses an ISO-8601 time given on the command line. */
export const parseTime = (value: string, option: string): Date => {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`${option} must be an ISO-8601 time such as 2026-11-27T09:00:00Z; got "${value}"`);
  return parsed;
};

/** The rules on the bus whose pattern routes any of `detailTypes`. */
export const rulesFor = async (events: EventBridgeClient, busName: string, detailTypes: string[]) => {
  const rules: Array<{ name: string; arn: string }> = [];
  let token: string | undefined;
  do {
    const page = await events.send(new ListRulesCommand({ EventBusName: busName, NextToken: token }));
    for (const rule of page.Rules ?? []) {
      const pattern = rule.EventPattern ?? (await events.send(new DescribeRuleCommand({ Name: rule.Name, EventBusName: busName }))).EventPattern;
      const routed: unknown = pattern ? JSON.parse(pattern)['detail-type'] : undefined;
      if (Array.isArray(routed) && routed.some((type) => detailTypes.includes(type))) rules.push({ name: rule.Name!, arn: rule.Arn! });
    }
    token = page.NextToken;
  } while (token);
  return rules;
};

/**
 * Replays archived canonical events of a time window onto the stage's bus (optionally only to the rules
 * of some detail types). Consumers stay correct under replay: event ids are stable, state is written
 * under version guards, and read models are keyed by event id.
 */
export const replayArchive = async (events: EventBridgeClient, request: ReplayRequest, now = new Date()): Promise<ReplayResult> => {
  if (request.from >= request.to) throw new UsageError('--from must be before --to');
  if (request.to > now) throw new UsageError('--to must not be in the future');
  const { busName, archiveName } = resourceNames(request.stage);
  try {
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: archiveName })).catch((error: unknown) => {
      if ((error as Error).name === 'ResourceNotFoundException') throw new OpsError(`No archive named ${archiveName}: is stage "${request.stage}" deployed?`);
      throw error;
    });
    const rules = request.detailTypes.length > 0 ? await rulesFor(events, busName, request.detailTypes) : [];
    if (request.detailTypes.length > 0 && rules.length === 0) {
      throw new UsageError(`No rule on ${busName} routes ${request.detailTypes.join(', ')}: nothing would receive the replay`);
    }
    const name = (request.name ?? `${busName}-${now.toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`).slice(0, 64);
    const detail = { from: request.from.toISOString(), to: request.to.toISOString(), detailTypes: request.detailTypes, archive: archiveName };
    await events
      .send(
        new StartReplayCommand({
          ReplayName: name,
          EventSourceArn: archive.ArchiveArn,
          EventStartTime: request.from,
          EventEndTime: request.to,
          Destination: { Arn: archive.EventSourceArn, ...(rules.length > 0 ? { FilterArns: rules.map((rule) => rule.arn) } : {}) },
        }),
      )
      .catch(async (error: unknown) => {
        await request.audit?.record({ action: 'replay.start', target: auditTarget.replay(name), detail: { ...detail, error: (error as Error).message }, outcome: 'failed' });
        throw error;
      });
    await request.audit?.record({ action: 'replay.start', target: auditTarget.replay(name), detail, outcome: 'ok' });
    let state = 'STARTING';
    const deadline = Date.now() + request.waitSeconds * 1000;
    while (request.waitSeconds > 0 && !['COMPLETED', 'FAILED', 'CANCELLED'].includes(state) && Date.now() < deadline) {
      const replay = await events.send(new DescribeReplayCommand({ ReplayName: name }));
      state = replay.State ?? state;
      if (state === 'FAILED') throw new OpsError(`Replay ${name} failed: ${replay.StateReason ?? 'no reason given'}`);
      if (!['COMPLETED', 'CANCELLED'].includes(state)) await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    return { name, state, rules: rules.map((rule) => rule.name), archive: archiveName };
  } catch (error) {
    throw explainAwsError(error, `replay from ${archiveName}`);
  }
};

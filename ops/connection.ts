/**
 * Where the ops CLI sends its AWS calls. Against AWS: the SDK's own region and credential chain
 * (--region, --profile, environment). Against a local endpoint (--endpoint, $AWS_ENDPOINT_URL, or the
 * file a running local stack leaves): nothing else is needed, the emulator's region and dummy
 * credentials are implied.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { AwsQueryProtocol } from '@aws-sdk/core/protocols';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { readLocalStackFile } from '../local/stack-file';

export interface ConnectionOptions {
  stage: string;
  region?: string;
  profile?: string;
  endpoint?: string;
}

export type AwsService = 'SQS' | 'DYNAMODB' | 'EVENTBRIDGE' | 'SFN' | 'CLOUDWATCH' | 'STS';

/** The region the local stack provisions in (local/emulator.ts). */
export const EMULATOR_REGION = 'us-east-1';
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Client settings for one AWS service, shared by every SDK client the CLI builds. */
export interface ClientSettings {
  region?: string;
  profile?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * @example
 * new SQSClient(clientSettings({ stage: 'local', endpoint: 'http://127.0.0.1:5000' }, 'SQS', process.env))
 */
export const clientSettings = (options: ConnectionOptions, service: AwsService, env: NodeJS.ProcessEnv, localStackFile?: string): ClientSettings => {
  const explicit = options.endpoint ?? env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  // The local stack's file applies only to its own stage and when nothing points elsewhere.
  const localStack = explicit || options.region || options.profile ? undefined : readLocalStackFile(localStackFile);
  const endpoint = explicit ?? (localStack?.stage === options.stage ? localStack.endpoint : undefined);
  if (!endpoint) return { ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) };
  const hasCredentials = Boolean(options.profile || env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
  return {
    endpoint,
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? localStack?.region ?? EMULATOR_REGION,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(hasCredentials ? {} : { credentials: EMULATOR_CREDENTIALS }),
  };
};

/**
 * A CloudWatch client. The emulator (moto, whose botocore predates CloudWatch's JSON protocol) answers
 * only the query protocol, which AWS still takes: against an endpoint the client speaks that. Same calls,
 * same answers.
 */
export const makeCloudWatchClient = (settings: ClientSettings) =>
  new CloudWatchClient({ ...settings, ...(settings.endpoint ? { protocol: AwsQueryProtocol as unknown as NonNullable<ConstructorParameters<typeof CloudWatchClient>[0]>['protocol'] } : {}) });

/**
 * Everything an ops function needs to reach one stage: its name, whether it is an emulator (the local
 * stack), and one SDK client per service, built with the same settings as the CLI's. The CLI and the
 * console open one per command or server and `closeConnection` it at the end.
 */
export interface OpsConnection {
  stage: string;
  /** The emulator endpoint when the stage is the local stack (or any endpoint given); undefined in AWS. */
  endpoint?: string;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  events: EventBridgeClient;
  cloudwatch: CloudWatchClient;
  sts: STSClient;
  /** Long-poll wait per DLQ receive: 0 against the emulator, 1 in AWS. */
  scan: { waitTimeSeconds: number };
}

/**
 * @example
 * const conn = openConnection({ stage: 'prod', region: 'eu-west-1' });
 * try { console.log(await readOverview(conn)); } finally { closeConnection(conn); }
 */
/** Builders of the clients a caller brings itself (tests inject theirs); each gets the options with its service's endpoint. */
export interface ClientFactories {
  sqs?: (config: ConnectionOptions) => SQSClient;
  dynamodb?: (config: ConnectionOptions) => DynamoDBClient;
  sfn?: (config: ConnectionOptions) => SFNClient;
  events?: (config: ConnectionOptions) => EventBridgeClient;
}

export const openConnection = (options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env, localStackFile?: string, make: ClientFactories = {}): OpsConnection => {
  const settings = (service: AwsService) => clientSettings(options, service, env, localStackFile);
  const withEndpoint = (service: AwsService) => ({ ...options, endpoint: settings(service).endpoint });
  const endpoint = settings('SQS').endpoint;
  return {
    stage: options.stage,
    ...(endpoint ? { endpoint } : {}),
    sqs: make.sqs?.(withEndpoint('SQS')) ?? new SQSClient(settings('SQS')),
    dynamodb: make.dynamodb?.(withEndpoint('DYNAMODB')) ?? new DynamoDBClient(settings('DYNAMODB')),
    sfn: make.sfn?.(withEndpoint('SFN')) ?? new SFNClient(settings('SFN')),
    events: make.events?.(withEndpoint('EVENTBRIDGE')) ?? new EventBridgeClient(settings('EVENTBRIDGE')),
    cloudwatch: makeCloudWatchClient(settings('CLOUDWATCH')),
    sts: new STSClient(settings('STS')),
    scan: { waitTimeSeconds: endpoint ? 0 : 1 },
  };
};

export const closeConnection = (conn: OpsConnection) => {
  for (const client of [conn.sqs, conn.dynamodb, conn.sfn, conn.events, conn.cloudwatch, conn.sts]) client.destroy();
};

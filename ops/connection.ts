/**
 * Where the ops CLI sends its AWS calls. Against AWS: the SDK's own region and credential chain
 * (--region, --profile, environment). Against a local endpoint (--endpoint, $AWS_ENDPOINT_URL, or the
 * file a running local stack leaves): nothing else is needed, the emulator's region and dummy
 * credentials are implied.
 */
import { readLocalStackFile } from '../local/stack-file';

export interface ConnectionOptions {
  stage: string;
  region?: string;
  profile?: string;
  endpoint?: string;
}

export type AwsService = 'SQS' | 'DYNAMODB' | 'EVENTBRIDGE' | 'SFN';

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

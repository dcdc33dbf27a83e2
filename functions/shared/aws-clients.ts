import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * SDK clients built from the environment (region, credentials, and AWS_ENDPOINT_URL for the local
 * emulator), traced through X-Ray. One per process, reused across invocations.
 *
 * Each client's package is required when the client is first asked for, not imported: a function
 * loads only the SDK clients it uses (every package is external to the bundles, and loading one costs
 * tens of milliseconds of cold start; `npm run bench:coldstart`).
 */
export const makeAwsClients = (tracer: Tracer) => {
  const cache = new Map<string, unknown>();
  const once = <T extends object>(name: string, build: () => T): T => {
    if (!cache.has(name)) cache.set(name, tracer.captureAWSv3Client(build()));
    return cache.get(name) as T;
  };
  return {
    dynamodb: () =>
      once('dynamodb', (): DynamoDBClient => new (require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb')).DynamoDBClient({})),
    eventBridge: () =>
      once('eventbridge', (): EventBridgeClient => new (require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge')).EventBridgeClient({})),
    secretsManager: () =>
      once(
        'secretsmanager',
        (): SecretsManagerClient => new (require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager')).SecretsManagerClient({}),
      ),
    sqs: () => once('sqs', (): SQSClient => new (require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs')).SQSClient({})),
    stepFunctions: () => once('sfn', (): SFNClient => new (require('@aws-sdk/client-sfn') as typeof import('@aws-sdk/client-sfn')).SFNClient({})),
  };
};

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * SDK clients built from the environment (region, credentials, and AWS_ENDPOINT_URL for the local
 * emulator), traced through X-Ray. One per process, reused across invocations.
 */
export const makeAwsClients = (tracer: Tracer) => {
  const cache = new Map<string, unknown>();
  const once = <T extends object>(name: string, build: () => T): T => {
    if (!cache.has(name)) cache.set(name, tracer.captureAWSv3Client(build()));
    return cache.get(name) as T;
  };
  return {
    dynamodb: () => once('dynamodb', () => new DynamoDBClient({})),
    eventBridge: () => once('eventbridge', () => new EventBridgeClient({})),
    secretsManager: () => once('secretsmanager', () => new SecretsManagerClient({})),
    sqs: () => once('sqs', () => new SQSClient({})),
    stepFunctions: () => once('sfn', () => new SFNClient({})),
  };
};

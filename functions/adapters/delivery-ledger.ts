import type { Context } from 'aws-lambda';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DeliveryConflictError, DeliveryInProgressError } from '../core/errors';
import type { DeliveryLedger } from '../core/ports/delivery-ledger';

/** Senders retry for days (Standard Webhooks up to ~3 days, Shopify 4 hours): remember deliveries for longer. */
const DELIVERY_RETENTION_SECONDS = 7 * 24 * 3600;

interface Attempt {
  accept: () => Promise<Record<string, unknown>>;
  ran: boolean;
}

/**
 * A delivery ledger on Powertools idempotency (DynamoDB conditional writes), so concurrent duplicates
 * are settled by the table, not by luck. `registerLambdaContext` must be called per invocation so an
 * attempt that dies mid-way expires and the sender's retry is processed.
 */
export const makeDynamoDbDeliveryLedger = (client: DynamoDBClient, tableName: string, options: { keyPrefix?: string } = {}) => {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'fingerprint',
    expiresAfterSeconds: DELIVERY_RETENTION_SECONDS,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  // The attempt rides as a second argument: only the first (key + fingerprint) is hashed.
  const acceptIdempotently = makeIdempotent(
    async (_delivery: { key: string; fingerprint: string }, attempt: Attempt) => {
      attempt.ran = true;
      return attempt.accept();
    },
    // Keys start with the function's name (Powertools' default is AWS_LAMBDA_FUNCTION_NAME at construction).
    { persistenceStore, config, keyPrefix: options.keyPrefix },
  );

  const ledger: DeliveryLedger & { registerLambdaContext(context: Context): void } = {
    registerLambdaContext: (context) => config.registerLambdaContext(context),
    async acceptOnce(key, fingerprint, accept) {
      const attempt: Attempt = { accept, ran: false };
      try {
        const result = await acceptIdempotently({ key, fingerprint }, attempt);
        return { result: result as Awaited<ReturnType<typeof accept>>, duplicate: !attempt.ran };
      } catch (error) {
        if (error instanceof IdempotencyValidationError) {
          throw new DeliveryConflictError(
            'This delivery id was already accepted with a different body. Send a changed event under a new id.',
          );
        }
        if (error instanceof IdempotencyAlreadyInProgressError) {
          throw new DeliveryInProgressError('A delivery with this id is being processed right now; retry in a few seconds.');
        }
        throw error;
      }
    },
  };
  return ledger;
};

import type { Context } from 'aws-lambda';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemNotFoundError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DeliveryConflictError, DeliveryInProgressError } from '../core/errors';
import { DELIVERY_RETENTION_SECONDS, type DeliveryLedger, type DeliveryLedgerReader, type DeliveryRecord } from '../core/ports/delivery-ledger';

/** How a delivery key becomes the record's key, shared by the ledger and its reader. */
const KEYING = { eventKeyJmesPath: 'key', expiresAfterSeconds: DELIVERY_RETENTION_SECONDS };

/** Powertools' default attribute names, which the ledger keeps. */
const ATTRIBUTES = { key: 'id', status: 'status', expiry: 'expiration', inProgressExpiry: 'in_progress_expiration', data: 'data' };

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
  const config = new IdempotencyConfig({ ...KEYING, payloadValidationJmesPath: 'fingerprint' });
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

const isoFromEpoch = (seconds: number | undefined, unitMs = 1000) => (typeof seconds === 'number' ? new Date(seconds * unitMs).toISOString() : undefined);

const toDeliveryRecord = (status: string, expiry: number, inProgressExpiryMs: number | undefined, data: unknown): DeliveryRecord => ({
  status: status === 'COMPLETED' ? 'accepted' : 'in-progress',
  ...(data && typeof data === 'object' ? { result: data as Record<string, unknown> } : {}),
  expiresAt: isoFromEpoch(expiry)!,
  ...(status !== 'COMPLETED' && inProgressExpiryMs !== undefined ? { inProgressUntil: isoFromEpoch(inProgressExpiryMs, 1)! } : {}),
});

/**
 * Reads the ledger `makeDynamoDbDeliveryLedger` keeps, under the same key prefix, hashing keys as it does
 * (through Powertools, so the two cannot disagree), without the fingerprint: it only looks.
 *
 * @example
 * const reader = makeDynamoDbDeliveryLedgerReader(dynamodb, 'retail-sync-prod-idempotency', { keyPrefix: 'retail-sync-prod-webhookIngest' });
 * await reader.find('erp#msg_2K1'); // { status: 'accepted', result: { eventId, eventIds, orderIds, … }, expiresAt }
 */
export const makeDynamoDbDeliveryLedgerReader = (client: DynamoDBClient, tableName: string, options: { keyPrefix: string }): DeliveryLedgerReader => {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  persistenceStore.configure({ config: new IdempotencyConfig(KEYING), keyPrefix: options.keyPrefix });
  const documents = DynamoDBDocumentClient.from(client);
  return {
    async find(key) {
      try {
        const record = await persistenceStore.getRecord({ key });
        // Past its expiry the ledger has forgotten the delivery, even before DynamoDB's TTL deletes the item.
        if (record.getStatus() === 'EXPIRED') return undefined;
        return toDeliveryRecord(record.getStatus(), record.expiryTimestamp ?? 0, record.inProgressExpiryTimestamp, record.responseData);
      } catch (error) {
        if (error instanceof IdempotencyItemNotFoundError) return undefined;
        throw error;
      }
    },
    async findByResult(field, value) {
      const found: DeliveryRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: 'begins_with(#key, :prefix) AND contains(#data.#field, :value)',
            ExpressionAttributeNames: { '#key': ATTRIBUTES.key, '#data': ATTRIBUTES.data, '#field': field },
            ExpressionAttributeValues: { ':prefix': `${options.keyPrefix}#`, ':value': value },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          if (Number(item[ATTRIBUTES.expiry]) * 1000 < Date.now()) continue;
          found.push(toDeliveryRecord(item[ATTRIBUTES.status], item[ATTRIBUTES.expiry], item[ATTRIBUTES.inProgressExpiry], item[ATTRIBUTES.data]));
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return found;
    },
  };
};

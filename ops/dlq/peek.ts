import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DlqMessage } from './dlq-message';
import { matchesFilters, type Filter } from './filters';
import { makeScanner, type Received, type ScanOptions } from './scanner';
import type { DlqTarget } from './targets';

export interface PeekOptions extends ScanOptions {
  filters?: Filter[];
  /** Stop after this many matching messages. */
  max?: number;
}

/** Matching messages of a DLQ, without consuming them (they are visible again when this returns). */
export const peekDlq = async (sqs: SQSClient, target: Pick<DlqTarget, 'url'>, options: PeekOptions = {}): Promise<DlqMessage[]> => {
  const scanner = makeScanner(sqs, target.url, options);
  const found: DlqMessage[] = [];
  const max = options.max ?? Number.POSITIVE_INFINITY;
  try {
    let batch: Received[] | undefined;
    while (found.length < max && (batch = await scanner.next())) {
      for (const { described } of batch) if (found.length < max && matchesFilters(described, options.filters ?? [])) found.push(described);
    }
  } finally {
    await scanner.release();
  }
  return found;
};

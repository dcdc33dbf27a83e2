/** Control over one received SQS message beyond "succeeded / failed". */
export interface MessageControl {
  /** Makes the message visible again after `seconds` instead of the queue's visibility timeout. */
  retryAfter(receiptHandle: string, seconds: number): Promise<void>;
  /** Copies the message to the dead-letter queue with the failure attached, so the caller can delete it. */
  deadLetter(message: DeadLetterMessage): Promise<void>;
}

export interface DeadLetterMessage {
  messageId: string;
  body: string;
  errorClass: string;
  errorMessage: string;
  /** What the downstream answered (status, body), as JSON, when known. */
  details?: string;
  receiveCount: number;
  firstReceivedAt: string;
  failedAt: string;
  sourceQueue: string;
  correlationId?: string;
  messageGroupId?: string;
}

/**
 * Attributes a redrive puts on a message so that, if it fails again, its DLQ note keeps the attempts
 * and the first failure time from before the redrive instead of starting over.
 */
export const REDRIVE_HISTORY_ATTRIBUTES = { attempts: 'attemptsBeforeRedrive', firstReceivedAt: 'firstReceivedBeforeRedrive' } as const;

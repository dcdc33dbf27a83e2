/** A mistake in how the command was called (unknown queue, bad option): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

/** The command was well formed but could not be carried out (missing queue, permission, network): exit code 1. */
export class OpsError extends Error {
  override name = 'OpsError';
  readonly exitCode = 1;
}

/** The engineer stopped the command (Ctrl-C) after it reported what it had done: exit code 130, as shells do. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  readonly exitCode = 130;
}

const errorName = (error: unknown) => (error as { name?: string })?.name ?? '';
const errorCode = (error: unknown) => (error as { Code?: string; code?: string })?.Code ?? (error as { code?: string })?.code ?? '';

export const isQueueMissing = (error: unknown) =>
  /QueueDoesNotExist|NonExistentQueue/.test(errorName(error)) || /QueueDoesNotExist|NonExistentQueue/.test(errorCode(error));

export const isAccessDenied = (error: unknown) => /AccessDenied|UnauthorizedOperation|NotAuthorized/.test(errorName(error) + errorCode(error));

/** Turns an SDK error raised while doing `what` into a one-line OpsError; other errors pass through. */
export const explainAwsError = (error: unknown, what: string): Error => {
  if (error instanceof UsageError || error instanceof OpsError) return error;
  const message = (error as Error)?.message ?? String(error);
  if (isAccessDenied(error)) return new OpsError(`Permission denied to ${what}: ${message}`);
  if (/CredentialsProviderError|ExpiredToken|InvalidClientTokenId|UnrecognizedClient/.test(errorName(error))) {
    return new OpsError(`No valid AWS credentials to ${what} (${message}); use --profile or set AWS credentials`);
  }
  if (/Region is missing/i.test(message)) return new OpsError(`No AWS region to ${what}: use --region, set AWS_REGION or give the profile a region`);
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(message + errorCode(error))) return new OpsError(`Cannot reach AWS (or the emulator) to ${what}: ${message}`);
  return new OpsError(`Failed to ${what}: ${errorName(error) || 'Error'}: ${message}`);
};

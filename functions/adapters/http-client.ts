import { PermanentError, RateLimitedError, TransientError } from '../core/errors';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: unknown;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Parses Retry-After given in seconds or as an HTTP date. */
export const parseRetryAfter = (value: string | null, now = Date.now()): number | undefined => {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
};

/**
 * Calls a downstream HTTP API and classifies every failure: 429 -> `RateLimitedError` (with Retry-After),
 * 408/409/5xx/timeouts/network -> `TransientError`, other 4xx -> `PermanentError`.
 */
export const callJson = async (call: HttpCall): Promise<HttpResult> => {
  let response: Response;
  try {
    response = await fetch(call.url, {
      method: call.method,
      headers: { accept: 'application/json', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : `failed: ${(error as Error).message}`;
    throw new TransientError(`${call.method} ${call.url} ${reason}`, { timeout: (error as Error).name === 'TimeoutError' });
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the raw text: it is still worth reporting
  }
  const context = { status: response.status, body };
  if (response.ok) return { status: response.status, headers: response.headers, body };
  const summary = `${call.method} ${call.url} answered ${response.status}`;
  if (response.status === 429) throw new RateLimitedError(summary, parseRetryAfter(response.headers.get('retry-after')), context);
  if (response.status === 409) throw new TransientError(summary, { ...context, conflict: true });
  if (response.status === 408 || response.status >= 500) throw new TransientError(summary, context);
  throw new PermanentError(summary, context);
};

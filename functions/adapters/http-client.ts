import { PermanentError, RateLimitedError, TransientError } from '../core/errors';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

/** How a call authenticates: its Authorization header, and what to do when the API refuses it. */
export interface HttpAuthorization {
  header(): Promise<string>;
  /** Drops a cached credential (a token, a secret), so the next `header()` reads a fresh one. */
  refresh(): void;
  /** Names the credential in errors (e.g. its secret's name), never its value. */
  name: string;
}

/** Runs one request (e.g. behind a rate gate); called once for every request sent. */
export type RequestWrapper = <T>(request: () => Promise<T>) => Promise<T>;

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
 * 408/409/5xx/timeouts/network -> `TransientError`, other 4xx -> `PermanentError`. With `auth`, a 401
 * refreshes the credential and tries once more (a token expired or a secret rotated); a second 401 is a
 * `PermanentError` naming the credential. Each request it sends (the retry too) runs through `send`,
 * e.g. the ERP gate, which books one send slot per request.
 */
export const callJson = async ({ send = (request) => request(), ...call }: HttpCall & { auth?: HttpAuthorization; send?: RequestWrapper }): Promise<HttpResult> => {
  if (!call.auth) return send(() => callOnce(call));
  const { auth, ...rest } = call;
  // The credential is in hand before the request is handed to `send` (a rate slot must not wait on it).
  const withCredential = async () => {
    const authorization = await auth.header();
    return send(() => callOnce({ ...rest, headers: { ...rest.headers, authorization } }));
  };
  try {
    return await withCredential();
  } catch (error) {
    if (!(error instanceof PermanentError) || error.context.status !== 401) throw error;
    auth.refresh();
  }
  try {
    return await withCredential();
  } catch (error) {
    if (error instanceof PermanentError && error.context.status === 401) {
      throw new PermanentError(`${error.message}: the credential ${auth.name} was refused twice, the second time freshly read; check it`, error.context);
    }
    throw error;
  }
};

const callOnce = async (call: HttpCall): Promise<HttpResult> => {
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

import type { Clock } from '../ports/clock';

export interface IssuedToken {
  accessToken: string;
  /** Seconds the token is valid from when it was issued (OAuth `expires_in`). */
  expiresInSeconds: number;
}

export interface TokenCacheOptions {
  /** Fetches a new token (e.g. the client-credentials grant). */
  fetchToken: () => Promise<IssuedToken>;
  clock: Clock;
  /** A token is replaced this long before it expires, so no call leaves with a token about to lapse. */
  marginSeconds?: number;
}

/**
 * Keeps an OAuth access token until shortly before it expires. Concurrent callers share one fetch; a
 * failed fetch is not kept (the next caller tries again); `invalidate` drops the token after the API
 * refused it (a 401), so the next caller fetches a fresh one.
 *
 * @example
 * const token = makeTokenCache({ fetchToken: () => entraId.clientCredentials(), clock: systemClock });
 * const authorization = `Bearer ${await token.get()}`;
 */
export const makeTokenCache = ({ fetchToken, clock, marginSeconds = 300 }: TokenCacheOptions) => {
  let cached: { accessToken: string; renewAtMs: number } | undefined;
  let inFlight: Promise<string> | undefined;
  return {
    async get(): Promise<string> {
      if (cached && clock.now().getTime() < cached.renewAtMs) return cached.accessToken;
      inFlight ??= (async () => {
        try {
          const issuedAt = clock.now().getTime();
          const token = await fetchToken();
          // A token shorter-lived than the margin is still used for half its life.
          const margin = Math.min(marginSeconds, token.expiresInSeconds / 2);
          cached = { accessToken: token.accessToken, renewAtMs: issuedAt + (token.expiresInSeconds - margin) * 1000 };
          return token.accessToken;
        } finally {
          inFlight = undefined;
        }
      })();
      return inFlight;
    },
    invalidate(): void {
      cached = undefined;
    },
  };
};

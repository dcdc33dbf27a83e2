/**
 * Spaces calls at most `perSecond` apart within one process: each call waits for its turn. For a
 * caller that must leave most of a shared API limit to others (reconciliation reading the service desk).
 */
export const makePacer = ({ perSecond, now = Date.now, sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) }: { perSecond: number; now?: () => number; sleep?: (ms: number) => Promise<void> }) => {
  const spacingMs = 1000 / perSecond;
  let nextAt = 0;
  return async (): Promise<void> => {
    const at = Math.max(now(), nextAt);
    nextAt = at + spacingMs;
    const waitMs = at - now();
    if (waitMs > 0) await sleep(waitMs);
  };
};

/** Wraps every method of a port so each call first waits for the pacer. */
export const paced = <T extends Record<string, (...args: never[]) => Promise<unknown>>>(port: T, pace: () => Promise<void>): T =>
  Object.fromEntries(
    Object.entries(port).map(([name, method]) => [
      name,
      async (...args: never[]) => {
        await pace();
        return method(...args);
      },
    ]),
  ) as T;

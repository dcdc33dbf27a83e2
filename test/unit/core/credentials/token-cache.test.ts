import { makeTokenCache, type IssuedToken } from '../../../../functions/core/credentials/token-cache';
import { ErpCredentials, serviceDeskAuthorization, ServiceDeskCredentials, tokenUrlOf } from '../../../../functions/core/credentials/credential-secrets';

/** A token source that issues `token-1`, `token-2`… valid for an hour, and a clock the test moves. */
const world = (options: { failFirst?: boolean; expiresInSeconds?: number } = {}) => {
  let nowMs = Date.parse('2026-11-28T10:00:00Z');
  let fetches = 0;
  let release: (() => void) | undefined;
  const cache = makeTokenCache({
    clock: { now: () => new Date(nowMs) },
    fetchToken: async (): Promise<IssuedToken> => {
      fetches++;
      await new Promise<void>((resolve) => (release = resolve));
      if (options.failFirst && fetches === 1) throw new Error('token endpoint down');
      return { accessToken: `token-${fetches}`, expiresInSeconds: options.expiresInSeconds ?? 3600 };
    },
  });
  const get = () => {
    const pending = cache.get();
    // The fetch answers on the next turn, so callers in the same turn overlap.
    setImmediate(() => release?.());
    return pending;
  };
  return { cache, get, advance: (seconds: number) => (nowMs += seconds * 1000), fetches: () => fetches };
};

describe('token cache', () => {
  it('fetches one token for callers that ask at the same time, and keeps it', async () => {
    // Prepare
    const { get, fetches } = world();
    // Act
    const tokens = await Promise.all([get(), get(), get()]);
    const later = await get();
    // Assess
    expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
    expect(later).toBe('token-1');
    expect(fetches()).toBe(1);
  });

  it('replaces the token five minutes before it expires', async () => {
    // Prepare
    const { get, advance } = world();
    await get();
    // Act
    advance(3600 - 301);
    const stillValid = await get();
    advance(2);
    const renewed = await get();
    // Assess
    expect([stillValid, renewed]).toEqual(['token-1', 'token-2']);
  });

  it('uses a short-lived token for half its life', async () => {
    // Prepare
    const { get, advance } = world({ expiresInSeconds: 60 });
    await get();
    // Act
    advance(29);
    const kept = await get();
    advance(2);
    const renewed = await get();
    // Assess
    expect([kept, renewed]).toEqual(['token-1', 'token-2']);
  });

  it('fetches afresh after invalidate (the API refused the token)', async () => {
    // Prepare
    const { cache, get } = world();
    await get();
    // Act
    cache.invalidate();
    // Assess
    expect(await get()).toBe('token-2');
  });

  it('keeps no failed fetch: the next caller tries again', async () => {
    // Prepare
    const { get } = world({ failFirst: true });
    // Act
    const failed = get();
    // Assess
    await expect(failed).rejects.toThrow('token endpoint down');
    expect(await get()).toBe('token-2');
  });
});

describe('credential secrets', () => {
  it("defaults Business Central's scope and the tenant's Entra ID token endpoint", () => {
    // Act
    const credentials = ErpCredentials.parse({ tenantId: 'contoso', clientId: 'app', clientSecret: 's' });
    // Assess
    expect(credentials.scope).toBe('https://api.businesscentral.dynamics.com/.default');
    expect(tokenUrlOf(credentials)).toBe('https://login.microsoftonline.com/contoso/oauth2/v2.0/token');
  });

  it.each([
    ['an API token as basic auth of "{email}/token:{token}"', { email: 'agent@acme.com', apiToken: 'abc' }, `Basic ${Buffer.from('agent@acme.com/token:abc').toString('base64')}`],
    ['an OAuth token as a bearer token', { accessToken: 'xyz' }, 'Bearer xyz'],
  ])('sends a Zendesk credential: %s', (_name, secret, header) => {
    // Act / Assess
    expect(serviceDeskAuthorization(ServiceDeskCredentials.parse(secret))).toBe(header);
  });

  it.each([
    ['an ERP secret without its client secret', () => ErpCredentials.parse({ tenantId: 't', clientId: 'c' })],
    ['an ERP secret with an unknown key', () => ErpCredentials.parse({ tenantId: 't', clientId: 'c', clientSecret: 's', password: 'x' })],
    ['a Zendesk secret with neither form', () => ServiceDeskCredentials.parse({ email: 'agent@acme.com', password: 'x' })],
  ])('refuses %s', (_name, parse) => {
    // Act / Assess
    expect(parse).toThrow();
  });
});

import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type * as z from '../core/zod';
import { ErpCredentials, serviceDeskAuthorization, ServiceDeskCredentials, tokenUrlOf } from '../core/credentials/credential-secrets';
import { makeTokenCache, type IssuedToken } from '../core/credentials/token-cache';
import { PermanentError, TransientError } from '../core/errors';
import type { Clock } from '../core/ports/clock';
import type { HttpAuthorization } from './http-client';

/** How long a credential read from Secrets Manager is reused before it is read again (a rotation is seen within this). */
export const CREDENTIAL_CACHE_SECONDS = 300;
const TOKEN_TIMEOUT_MS = 10_000;

/**
 * A JSON secret read from Secrets Manager and validated; kept `CREDENTIAL_CACHE_SECONDS`, read afresh after
 * `refresh()` (the API refused it: it may have been rotated). A malformed secret is a permanent error that
 * names the secret and the field, never the value.
 */
const secretJson = <T extends z.ZodMiniType>(client: SecretsManagerClient, secretId: string, schema: T) => {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  let forceFetch = false;
  return {
    async get(): Promise<z.infer<T>> {
      const value = await provider.get(secretId, { maxAge: CREDENTIAL_CACHE_SECONDS, forceFetch });
      forceFetch = false;
      let json: unknown;
      try {
        json = JSON.parse(typeof value === 'string' ? value : '');
      } catch {
        throw new PermanentError(`The secret ${secretId} is not JSON; see the README (Deploying, credentials) for its format.`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        throw new PermanentError(`The secret ${secretId} is not a valid credential: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
      }
      return parsed.data;
    },
    refresh() {
      forceFetch = true;
    },
  };
};

/** The OAuth 2.0 client-credentials grant against Microsoft Entra ID (or the local ERP simulator's token endpoint). */
export const requestClientCredentialsToken = async (credentials: ErpCredentials, secretId: string): Promise<IssuedToken> => {
  const url = tokenUrlOf(credentials);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ client_id: credentials.clientId, client_secret: credentials.clientSecret, scope: credentials.scope, grant_type: 'client_credentials' }).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (error) {
    throw new TransientError(`The token endpoint ${url} could not be reached: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
  if (response.status === 429 || response.status >= 500) throw new TransientError(`The token endpoint ${url} answered ${response.status}`, { status: response.status });
  if (!response.ok) {
    throw new PermanentError(`The token endpoint ${url} refused the client credentials of secret ${secretId}: ${String(body?.error ?? response.status)} ${String(body?.error_description ?? '')}`.trim(), { status: response.status });
  }
  const expiresIn = Number(body?.expires_in);
  if (typeof body?.access_token !== 'string' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new PermanentError(`The token endpoint ${url} answered without access_token and expires_in`);
  }
  return { accessToken: body.access_token, expiresInSeconds: expiresIn };
};

/**
 * Business Central's credential: an Entra ID access token for the app registration in secret
 * `secretId`, kept until five minutes before it expires and fetched once for concurrent calls. After a
 * 401 the token is dropped and the secret read afresh.
 */
export const makeErpAuthorization = ({ client, secretId, clock }: { client: SecretsManagerClient; secretId: string; clock: Clock }): HttpAuthorization => {
  const secret = secretJson(client, secretId, ErpCredentials);
  const tokens = makeTokenCache({ fetchToken: async () => requestClientCredentialsToken(await secret.get(), secretId), clock });
  return {
    name: `in secret ${secretId}`,
    header: async () => `Bearer ${await tokens.get()}`,
    refresh: () => {
      tokens.invalidate();
      secret.refresh();
    },
  };
};

/** Zendesk's credential: an agent's API token (basic auth) or an OAuth token (bearer), from secret `secretId`. */
export const makeServiceDeskAuthorization = ({ client, secretId }: { client: SecretsManagerClient; secretId: string }): HttpAuthorization => {
  const secret = secretJson(client, secretId, ServiceDeskCredentials);
  return {
    name: `in secret ${secretId}`,
    header: async () => serviceDeskAuthorization(await secret.get()),
    refresh: () => secret.refresh(),
  };
};

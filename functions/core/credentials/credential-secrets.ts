import * as z from '../zod';

/**
 * Business Central's app registration in Microsoft Entra ID, for the OAuth 2.0 client-credentials
 * grant. `tokenUrl` defaults to the tenant's v2.0 token endpoint; `scope` to Business Central's.
 */
export const ErpCredentials = z.strictObject({
  tenantId: z.string().check(z.minLength(1)),
  clientId: z.string().check(z.minLength(1)),
  clientSecret: z.string().check(z.minLength(1)),
  tokenUrl: z.optional(z.url()),
  scope: z._default(z.string().check(z.minLength(1)), 'https://api.businesscentral.dynamics.com/.default'),
});
export type ErpCredentials = z.infer<typeof ErpCredentials>;

export const tokenUrlOf = (credentials: ErpCredentials) =>
  credentials.tokenUrl ?? `https://login.microsoftonline.com/${encodeURIComponent(credentials.tenantId)}/oauth2/v2.0/token`;

/** Zendesk: an API token of an agent (`{email}/token:{apiToken}`, basic auth) or an OAuth access token (bearer). */
export const ServiceDeskCredentials = z.union([
  z.strictObject({ email: z.email(), apiToken: z.string().check(z.minLength(1)) }),
  z.strictObject({ accessToken: z.string().check(z.minLength(1)) }),
]);
export type ServiceDeskCredentials = z.infer<typeof ServiceDeskCredentials>;

/** The Authorization header of a Zendesk credential. */
export const serviceDeskAuthorization = (credentials: ServiceDeskCredentials): string =>
  'accessToken' in credentials
    ? `Bearer ${credentials.accessToken}`
    : `Basic ${Buffer.from(`${credentials.email}/token:${credentials.apiToken}`).toString('base64')}`;

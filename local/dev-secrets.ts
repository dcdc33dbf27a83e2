import { WEBHOOK_SOURCES } from '../functions/core/connectors/registry';

/**
 * Development signing secrets, used when `WEBHOOK_SECRETS_<SOURCE>` is not set. Public on purpose:
 * never configure them in a deployed stage.
 */
export const DEVELOPMENT_SECRETS: Record<string, string> = {
  erp: 'whsec_ZGV2ZWxvcG1lbnQtb25seS1lcnAtc2lnbmluZy1rZXk=',
  '3pl': 'whsec_ZGV2ZWxvcG1lbnQtb25seS0zcGwtc2lnbmluZy1rZXk=',
  shopify: 'development-only-shopify-app-secret',
  zendesk: 'development-only-zendesk-webhook-secret',
  // The key Business Central subscriptions' clientState derives from (it signs nothing).
  businesscentral: 'development-only-businesscentral-client-state-key',
};

/** Reads `WEBHOOK_SECRETS_<SOURCE>` (comma-separated, newest first) for every registered source. */
export const signingSecretsFromEnvironment = (environment: NodeJS.ProcessEnv = process.env): Record<string, string[]> =>
  Object.fromEntries(
    WEBHOOK_SOURCES.map((source) => {
      const configured = environment[`WEBHOOK_SECRETS_${source.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
      const secrets = configured ? configured.split(',').map((secret) => secret.trim()).filter(Boolean) : [DEVELOPMENT_SECRETS[source]].filter(Boolean);
      return [source, secrets as string[]];
    }),
  );

/** The API key the local stack accepts when `API_KEYS` is not set. Public on purpose, like the secrets above. */
export const DEVELOPMENT_API_KEY = 'local-dev-key';

/** Reads `API_KEYS` (comma-separated): the keys the local stack accepts on the read and process routes. */
export const apiKeysFromEnvironment = (environment: NodeJS.ProcessEnv = process.env): string[] => {
  const configured = (environment.API_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  return configured.length > 0 ? configured : [DEVELOPMENT_API_KEY];
};

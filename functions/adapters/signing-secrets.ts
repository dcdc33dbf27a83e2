import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SigningSecrets } from '../core/ports/signing-secrets';

/** How long a fetched secret is reused; bounds how fast a newly added (rotated-in) secret is seen. */
const CACHE_SECONDS = 60;

/**
 * Parses a stored secret value: a JSON array of secrets or a comma/space separated list, newest first.
 * Several values are active during a rotation.
 */
export const parseSecretList = (value: string): string[] => {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === 'string')) {
      throw new Error('A signing secret stored as JSON must be an array of strings.');
    }
    return parsed.map((entry) => entry.trim()).filter(Boolean);
  }
  return trimmed.split(/[\s,]+/).filter(Boolean);
};

/** Reads each source's signing secrets from Secrets Manager, by the secret id configured for that source. */
export const makeSecretsManagerSigningSecrets = (
  client: SecretsManagerClient,
  secretIdsBySource: Readonly<Record<string, string>>,
): SigningSecrets => {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  return {
    async forSource(source) {
      const secretId = secretIdsBySource[source];
      if (!secretId) return [];
      const value = await provider.get(secretId, { maxAge: CACHE_SECONDS });
      return typeof value === 'string' ? parseSecretList(value) : [];
    },
  };
};

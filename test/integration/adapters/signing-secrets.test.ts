import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { makeSecretsManagerSigningSecrets, parseSecretList } from '../../../functions/adapters/signing-secrets';
import { uniqueStage, useEmulator } from '../../support/emulator';

describe('signing secrets from Secrets Manager against the emulator', () => {
  let client: SecretsManagerClient;
  beforeAll(() => {
    useEmulator();
    client = new SecretsManagerClient({});
  });
  afterAll(() => client.destroy());

  it('reads every active secret of a source, newest first', async () => {
    const name = `${uniqueStage('secrets')}/webhooks/erp`;
    await client.send(new CreateSecretCommand({ Name: name, SecretString: '["whsec_bmV3", "whsec_b2xk"]' }));
    const secrets = makeSecretsManagerSigningSecrets(client, { erp: name });
    expect(await secrets.forSource('erp')).toEqual(['whsec_bmV3', 'whsec_b2xk']);
  });

  it('has no secret for a source without a configured secret', async () => {
    expect(await makeSecretsManagerSigningSecrets(client, {}).forSource('erp')).toEqual([]);
  });
});

describe('parseSecretList', () => {
  it('reads a JSON array or a comma/space separated list', () => {
    expect(parseSecretList('["a", " b "]')).toEqual(['a', 'b']);
    expect(parseSecretList('a, b c')).toEqual(['a', 'b', 'c']);
  });

  it('refuses JSON that is not a list of strings', () => {
    expect(() => parseSecretList('[1]')).toThrow(/array of strings/);
  });
});

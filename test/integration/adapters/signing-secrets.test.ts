import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { makeSecretsManagerSigningSecrets } from '../../../functions/adapters/signing-secrets';
import { uniqueStage, useEmulator } from '../../support/emulator';

describe('signing secrets from Secrets Manager against the emulator', () => {
  let client: SecretsManagerClient;
  beforeAll(() => {
    useEmulator();
    client = new SecretsManagerClient({});
  });
  afterAll(() => client.destroy());

  it('reads every active secret of a source, newest first', async () => {
    // Prepare
    const name = `${uniqueStage('secrets')}/webhooks/erp`;
    await client.send(new CreateSecretCommand({ Name: name, SecretString: '["whsec_bmV3", "whsec_b2xk"]' }));
    const secrets = makeSecretsManagerSigningSecrets(client, { erp: name });

    // Act
    const active = await secrets.forSource('erp');

    // Assess
    expect(active).toEqual(['whsec_bmV3', 'whsec_b2xk']);
  });

  it('has no secret for a source without a configured secret', async () => {
    // Prepare
    const secrets = makeSecretsManagerSigningSecrets(client, {});

    // Act
    const active = await secrets.forSource('erp');

    // Assess
    expect(active).toEqual([]);
  });
});

import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { makeErpAuthorization, makeServiceDeskAuthorization } from '../../../functions/adapters/credentials';
import { makeBusinessCentralErp } from '../../../functions/adapters/erp-business-central';
import { DEFAULT_FIELD_IDS, makeZendeskServiceDesk } from '../../../functions/adapters/service-desk-zendesk';
import { PermanentError } from '../../../functions/core/errors';
import { systemClock } from '../../../functions/core/ports/clock';
import { LOCAL_ERP_CLIENT, LOCAL_SERVICE_DESK_AUTHORIZATION, LOCAL_SERVICE_DESK_CREDENTIALS, localErpCredentials } from '../../../local/dev-credentials';
import { startErpSimulator, type ErpSimulator } from '../../../local/simulators/erp';
import { startServiceDeskSimulator, type ServiceDeskSimulator } from '../../../local/simulators/service-desk';
import { uniqueStage, useEmulator } from '../../support/emulator';

/**
 * The credential adapters with the real Secrets Manager client (the emulator) against simulators that
 * require what Business Central (an Entra ID bearer token) and Zendesk (an API token) require.
 */
describe('ERP and service-desk credentials from Secrets Manager', () => {
  let secrets: SecretsManagerClient;
  let erp: ErpSimulator;
  let desk: ServiceDeskSimulator;
  const prefix = uniqueStage('creds');
  const putSecret = async (name: string, value: unknown) => {
    const SecretString = JSON.stringify(value);
    await secrets.send(new CreateSecretCommand({ Name: name, SecretString })).catch(() => secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString })));
    return name;
  };

  beforeAll(async () => {
    useEmulator();
    secrets = new SecretsManagerClient({});
    erp = await startErpSimulator({ credentials: { clientId: LOCAL_ERP_CLIENT.clientId, clientSecret: LOCAL_ERP_CLIENT.clientSecret } });
    erp.setOrder('SO-1', 'shipped');
    desk = await startServiceDeskSimulator({ requireAuthorization: LOCAL_SERVICE_DESK_AUTHORIZATION });
  });
  afterAll(async () => {
    secrets.destroy();
    await erp.close();
    await desk.close();
  });

  it('fetches one Entra ID token for many ERP calls', async () => {
    // Prepare
    const secretId = await putSecret(`${prefix}/erp-once`, localErpCredentials(erp.url));
    const adapter = makeBusinessCentralErp({ baseUrl: erp.url, auth: makeErpAuthorization({ client: secrets, secretId, clock: systemClock }) });
    const issuedBefore = erp.stats.tokensIssued;
    // Act
    const orders = await Promise.all([adapter.getOrder('SO-1'), adapter.getOrder('SO-1'), adapter.getOrder('SO-1')]);
    // Assess
    expect(orders.map((order) => order?.status)).toEqual(['shipped', 'shipped', 'shipped']);
    expect(erp.stats.tokensIssued - issuedBefore).toBe(1);
  });

  it('fetches a fresh token when the ERP refuses one (expired, revoked) and goes on', async () => {
    // Prepare
    const secretId = await putSecret(`${prefix}/erp-refresh`, localErpCredentials(erp.url));
    const adapter = makeBusinessCentralErp({ baseUrl: erp.url, auth: makeErpAuthorization({ client: secrets, secretId, clock: systemClock }) });
    await adapter.getOrder('SO-1');
    const issuedBefore = erp.stats.tokensIssued;
    const refusedBefore = erp.stats.unauthorized;
    // Act
    erp.expireTokens();
    const order = await adapter.getOrder('SO-1');
    // Assess
    expect(order?.status).toBe('shipped');
    expect([erp.stats.unauthorized - refusedBefore, erp.stats.tokensIssued - issuedBefore]).toEqual([1, 1]);
  });

  it('says which secret holds a client secret the token endpoint refuses', async () => {
    // Prepare
    const secretId = await putSecret(`${prefix}/erp-wrong`, { ...localErpCredentials(erp.url), clientSecret: 'not-it' });
    const adapter = makeBusinessCentralErp({ baseUrl: erp.url, auth: makeErpAuthorization({ client: secrets, secretId, clock: systemClock }) });
    // Act
    const attempt = adapter.getOrder('SO-1');
    // Assess
    await expect(attempt).rejects.toThrow(PermanentError);
    await expect(adapter.getOrder('SO-1')).rejects.toThrow(`refused the client credentials of secret ${secretId}: invalid_client`);
  });

  it('names the secret and the field of a malformed credential, never its value', async () => {
    // Prepare
    const secretId = await putSecret(`${prefix}/erp-malformed`, { tenantId: 'local', clientId: 'app' });
    const adapter = makeBusinessCentralErp({ baseUrl: erp.url, auth: makeErpAuthorization({ client: secrets, secretId, clock: systemClock }) });
    // Act / Assess
    await expect(adapter.getOrder('SO-1')).rejects.toThrow(`The secret ${secretId} is not a valid credential: clientSecret:`);
  });

  it("reaches Zendesk with the agent's API token, and a refused one is permanent, naming its secret", async () => {
    // Prepare
    const good = await putSecret(`${prefix}/desk-good`, LOCAL_SERVICE_DESK_CREDENTIALS);
    const bad = await putSecret(`${prefix}/desk-bad`, { ...LOCAL_SERVICE_DESK_CREDENTIALS, apiToken: 'revoked' });
    const deskWith = (secretId: string) => makeZendeskServiceDesk({ baseUrl: desk.url, fieldIds: DEFAULT_FIELD_IDS, auth: makeServiceDeskAuthorization({ client: secrets, secretId }) });
    // Act
    const found = await deskWith(good).findCasesForOrder('SO-1');
    const refused = deskWith(bad).findCasesForOrder('SO-1');
    // Assess
    expect(found).toEqual([]);
    await expect(refused).rejects.toThrow(`answered 401: the credential in secret ${bad} was refused twice`);
  });
});

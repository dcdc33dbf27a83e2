import type { ErpCredentials, ServiceDeskCredentials } from '../functions/core/credentials/credential-secrets';
import { serviceDeskAuthorization } from '../functions/core/credentials/credential-secrets';

/**
 * The credentials of the local stack: stored in the emulator's Secrets Manager like a deployed stage's,
 * and required by the simulators, so `npm start` proves the product reads and sends them. Never real.
 */
export const LOCAL_ERP_CLIENT = { tenantId: 'local', clientId: 'retail-sync-local', clientSecret: 'local-client-secret' } as const;
export const LOCAL_SERVICE_DESK_CREDENTIALS = { email: 'retail-sync@example.com', apiToken: 'local-api-token' } as const satisfies ServiceDeskCredentials;

/** The ERP credential secret of the local stack: the app registration, its token endpoint the ERP simulator's. */
export const localErpCredentials = (erpSimulatorUrl: string): ErpCredentials => ({
  ...LOCAL_ERP_CLIENT,
  tokenUrl: `${erpSimulatorUrl}/_entra/${LOCAL_ERP_CLIENT.tenantId}/oauth2/v2.0/token`,
  scope: 'https://api.businesscentral.dynamics.com/.default',
});

/** What a test or a curl sends to the local service-desk simulator's API: `Basic base64(email/token:apiToken)`. */
export const LOCAL_SERVICE_DESK_AUTHORIZATION = serviceDeskAuthorization(LOCAL_SERVICE_DESK_CREDENTIALS);

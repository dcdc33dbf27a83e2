import { makeServiceDeskAuthorization } from '../adapters/credentials';
import { DEFAULT_FIELD_IDS, type ServiceDeskFieldIds } from '../adapters/service-desk-zendesk';
import type { makeAwsClients } from './aws-clients';
import { ENV, jsonEnv, requiredEnv, type Environment } from './environment';

/** Where the service desk is, its field ids and its credential, for the Zendesk adapters (build it once and share it). */
export const serviceDeskConnectionFrom = (environment: Environment, aws: ReturnType<typeof makeAwsClients>) => ({
  baseUrl: requiredEnv(ENV.serviceDeskBaseUrl, environment),
  fieldIds: jsonEnv<ServiceDeskFieldIds>(ENV.serviceDeskFieldIds, DEFAULT_FIELD_IDS, environment),
  auth: makeServiceDeskAuthorization({ client: aws.secretsManager(), secretId: requiredEnv(ENV.serviceDeskCredentialsSecret, environment) }),
});

import { DEVELOPMENT_API_KEY } from '../../local/dev-secrets';

/** What a caller of the local stack's read and process routes sends: its API key (the development default). */
export const callerHeaders = { 'x-api-key': DEVELOPMENT_API_KEY };

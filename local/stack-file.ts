/**
 * The file a running local stack leaves for the ops CLI (endpoint, stage, region) and `npm run send`
 * (the API's URL), so that `npx retail-sync ops dlq list` and `npm run send` find it with no flags. Written by `npm start`, removed on stop.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface LocalStackInfo {
  endpoint: string;
  stage: string;
  region: string;
  /** The local API's base URL, for `npm run send`. */
  apiUrl?: string;
}

/** `.local/` at the project root (ignored by git). */
export const LOCAL_STACK_FILE = path.join(__dirname, '..', '.local', 'local-stack.json');

export const writeLocalStackFile = (info: LocalStackInfo, file = LOCAL_STACK_FILE) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(info, null, 2) + '\n', 'utf8');
};

export const removeLocalStackFile = (file = LOCAL_STACK_FILE) => rmSync(file, { force: true });

/** The running local stack's details, or undefined when there is no (readable) file. */
export const readLocalStackFile = (file = LOCAL_STACK_FILE): LocalStackInfo | undefined => {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalStackInfo>;
    return typeof info.endpoint === 'string' && typeof info.stage === 'string' ? { endpoint: info.endpoint, stage: info.stage, region: info.region ?? 'us-east-1', ...(typeof info.apiUrl === 'string' ? { apiUrl: info.apiUrl } : {}) } : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Where `npm run send` posts: an explicit PORT wins (as AWS_ENDPOINT_URL does for the ops CLI), else
 * the running local stack's API, else the default port.
 *
 * @example
 * localApiUrl({ PORT: '4000' }); // 'http://127.0.0.1:4000', whatever the file says
 */
export const localApiUrl = (env: NodeJS.ProcessEnv, file = LOCAL_STACK_FILE): string =>
  env.PORT && env.PORT !== '0' ? `http://127.0.0.1:${env.PORT}` : (readLocalStackFile(file)?.apiUrl ?? 'http://127.0.0.1:3000');

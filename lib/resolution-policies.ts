/**
 * The resolution policies a stage deploys: every `config/policies/<name>.json`, validated and ordered
 * once at synthesis (a bad policy fails `cdk synth` and `npm start` with the file and key), then given
 * to the workflow functions as one environment variable. No CDK import here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePolicies, type ResolutionPolicy } from '../functions/core/workflows/resolution-policy';

export const POLICY_DIRECTORY = path.join(__dirname, '..', 'config', 'policies');

/** Lambda allows 4 KB of environment per function; the policies may use about half of it. */
const MAX_POLICIES_BYTES = 2048;

export const loadResolutionPolicies = (directory = POLICY_DIRECTORY): ResolutionPolicy[] => {
  const files = readdirSync(directory).filter((file) => file.endsWith('.json'));
  return parsePolicies(
    files.map((file) => {
      const text = readFileSync(path.join(directory, file), 'utf8');
      try {
        return { file, content: JSON.parse(text) as unknown };
      } catch (error) {
        throw new Error(`Invalid resolution policies:\n${file}: not JSON (${(error as Error).message})`);
      }
    }),
  );
};

/** The policies as the functions' `RESOLUTION_POLICIES` variable. */
export const resolutionPoliciesVariable = (policies: readonly ResolutionPolicy[]): string => {
  const value = JSON.stringify(policies);
  if (Buffer.byteLength(value) > MAX_POLICIES_BYTES) {
    throw new Error(`The resolution policies take ${Buffer.byteLength(value)} bytes as JSON; at most ${MAX_POLICIES_BYTES} fit in a function's environment. Merge or shorten policies.`);
  }
  return value;
};

import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '../../../functions/core/errors';
import { errorResponse, STATUS_BY_ERROR } from '../../../functions/core/problem';
import { PROBLEM_CATALOGUE, PROBLEM_KINDS, problemKindOf, problemType } from '../../../functions/core/problem-catalogue';
import { GATEWAY_PROBLEMS, gatewayProblem } from '../../../lib/gateway-problems';

const ROOT = path.join(__dirname, '../../..');

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });

/** The catalogue entry a problem's type names, and whether the problem's status is one it is answered with. */
const catalogued = (problem: { type: string; status: number }) => {
  const kind = problemKindOf(problem.type);
  return { kind, statusCatalogued: kind !== undefined && (PROBLEM_CATALOGUE[kind].statuses as readonly number[]).includes(problem.status) };
};

describe('problem catalogue', () => {
  it.each(STATUS_BY_ERROR.map(([ErrorClass, status]) => [ErrorClass.name, ErrorClass, status] as const))(
    'lists the type a function answers %s with, under its status',
    (_name, ErrorClass, status) => {
      // Prepare
      const error = new (ErrorClass as unknown as new (message: string) => Error)('what happened');
      // Act
      const problem = JSON.parse(errorResponse(error, '/v1/x').body);
      // Assess
      expect(problem.status).toBe(status);
      expect(catalogued(problem)).toEqual({ kind: expect.any(String), statusCatalogued: true });
    },
  );

  it('lists the type of a fault no table knows (a 500)', () => {
    // Act
    const problem = JSON.parse(errorResponse(new Error('boom')).body);
    // Assess
    expect(catalogued(problem)).toEqual({ kind: 'internal', statusCatalogued: true });
  });

  it('lists the type of a validation problem with field errors', () => {
    // Act
    const problem = JSON.parse(errorResponse(new ValidationError('bad', [{ path: 'orderId', message: 'Required' }])).body);
    // Assess
    expect(catalogued(problem)).toEqual({ kind: 'validation', statusCatalogued: true });
  });

  it.each(Object.keys(GATEWAY_PROBLEMS))('lists the type API Gateway answers %s with, under its status', (responseType) => {
    // Act
    const problem = gatewayProblem(responseType);
    // Assess
    expect(catalogued(problem)).toEqual({ kind: expect.any(String), statusCatalogued: true });
  });

  it('is the only place a problem type URI is written: every other producer goes through it', () => {
    // Prepare
    const files = ['functions', 'lib', 'local', 'ops'].flatMap((dir) => sourceFiles(path.join(ROOT, dir)));
    // Act
    const writing = files.filter((file) => readFileSync(file, 'utf8').includes('retail-sync.dev/problems')).map((file) => path.relative(ROOT, file));
    // Assess
    expect(writing).toEqual(['functions/core/problem-catalogue.ts']);
  });

  it('has every type in the README, with its statuses', () => {
    // Prepare
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    // Assess
    for (const kind of PROBLEM_KINDS) {
      expect(readme).toContain(`| \`${problemType(kind)}\` | ${PROBLEM_CATALOGUE[kind].statuses.join(', ')} |`);
    }
  });
});

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROBLEM_CATALOGUE, PROBLEM_KINDS, problemType } from '../../../functions/core/problem-catalogue';
import { responsesOf, ROUTE_CONTRACTS, routeKey } from '../../../lib/api-contract';
import { OPENAPI_DOCUMENT_PATH, openApiDocument, openApiDocumentText } from '../../../lib/openapi';
import { ROUTES } from '../../../lib/topology';

type Operation = { security: Array<Record<string, string[]>>; 'x-authorization': string; responses: Record<string, unknown> };

const committed = readFileSync(path.join(__dirname, '../../..', OPENAPI_DOCUMENT_PATH), 'utf8');
const document = JSON.parse(committed) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { anyOf?: Array<{ const: string; title: string }> }> } };

const SECURITY_BY_AUTHORIZATION = { caller: [{ sigv4: [] }, { apiKey: [] }], signature: [{ webhookSignature: [] }], none: [] };

describe('OpenAPI document', () => {
  it('is committed as the script generates it (run npm run openapi)', () => {
    // Assess
    expect(committed).toBe(openApiDocumentText());
  });

  it('is OpenAPI 3.1', () => {
    // Assess
    expect(openApiDocument().openapi).toBe('3.1.0');
  });

  it('has a contract for every route and for routes only', () => {
    // Assess
    expect(Object.keys(ROUTE_CONTRACTS).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it('documents exactly the routes, each under its method', () => {
    // Act
    const documented = Object.entries(document.paths).flatMap(([routePath, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${routePath}`));
    // Assess
    expect(documented.sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it.each(ROUTES.map((route) => [routeKey(route), route] as const))('documents %s with its authorization and every status it can answer', (_key, route) => {
    // Prepare
    const operation = document.paths[route.path]![route.method.toLowerCase()]!;
    // Assess
    expect(operation.security).toEqual(SECURITY_BY_AUTHORIZATION[route.authorization]);
    expect(operation['x-authorization']).toBe(route.authorization);
    expect(Object.keys(operation.responses)).toEqual(Object.keys(responsesOf(route)));
  });

  it('lists the problem catalogue in its components, each type with its title', () => {
    // Act
    const listed = document.components.schemas.ProblemType!.anyOf!.map((entry) => [entry.const, entry.title]);
    // Assess
    expect(listed).toEqual(PROBLEM_KINDS.map((kind) => [problemType(kind), PROBLEM_CATALOGUE[kind].title]));
  });
});

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { breakingChanges, type OpenApiDocument } from '../../../lib/openapi-compatibility';
import { OPENAPI_DOCUMENT_PATH, RELEASED_OPENAPI_DOCUMENT_PATH } from '../../../lib/openapi';

const read = (file: string): OpenApiDocument => JSON.parse(readFileSync(path.join(__dirname, '../../..', file), 'utf8'));
const current = read(OPENAPI_DOCUMENT_PATH);
const released = read(RELEASED_OPENAPI_DOCUMENT_PATH);

/** A copy of the current document changed by `change`. */
const changed = (change: (document: any) => void): OpenApiDocument => {
  const document = structuredClone(current);
  change(document);
  return document;
};

describe('/v1 only grows from the released document', () => {
  it('finds no breaking change from docs/openapi.released.json to docs/openapi.json', () => {
    // Assess
    expect(breakingChanges(released, current)).toEqual([]);
  });

  it('allows additions: a new route, a new status, a new optional response field, a new optional request field', () => {
    // Prepare
    const grown = changed((document) => {
      document.paths['/v1/new'] = { get: { responses: { 200: { description: 'new' } } } };
      document.paths['/v1/health'].get.responses['418'] = { description: 'teapot' };
      document.components.schemas.Health.properties.uptime = { type: 'number' };
      document.paths['/v1/cases/{caseId}/resolutions'].post.requestBody.content['application/json'].schema.properties.note = { type: 'string' };
    });
    // Assess
    expect(breakingChanges(current, grown)).toEqual([]);
  });

  it('refuses removing a route', () => {
    // Act
    const found = breakingChanges(current, changed((document) => delete document.paths['/v1/health']));
    // Assess
    expect(found).toEqual([expect.stringMatching(/^GET \/v1\/health: the route was removed/)]);
  });

  it('refuses removing a response status', () => {
    // Act
    const found = breakingChanges(current, changed((document) => delete document.paths['/v1/orders/{orderId}/sync'].get.responses['404']));
    // Assess
    expect(found).toEqual(['GET /v1/orders/{orderId}/sync: response 404 was removed']);
  });

  it('refuses removing a required response field, also one nested in a component', () => {
    // Act
    const found = breakingChanges(
      current,
      changed((document) => {
        document.components.schemas.OrderSync.required = document.components.schemas.OrderSync.required.filter((name: string) => name !== 'inSync');
        document.components.schemas.TimelineEntry.required = document.components.schemas.TimelineEntry.required.filter((name: string) => name !== 'summary');
      }),
    );
    // Assess
    expect(found).toEqual(['GET /v1/orders/{orderId}/sync: response 200 no longer requires body.inSync', 'GET /v1/customers/{customerId}/timeline: response 200 no longer requires body.entries[].summary']);
  });

  it('refuses removing a required member of the problems a status answers', () => {
    // Act
    const found = breakingChanges(current, changed((document) => (document.components.schemas.Problem.required = ['type', 'title', 'status'])));
    // Assess
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((change) => change.endsWith('no longer requires body.detail'))).toBe(true);
  });

  it('refuses making an optional request field required', () => {
    // Act
    const found = breakingChanges(
      current,
      changed((document) => {
        const line = document.paths['/v1/cases/{caseId}/resolutions'].post.requestBody.content['application/json'].schema.properties.lines.items;
        line.required = [...line.required, 'sku'];
      }),
    );
    // Assess
    expect(found).toEqual(['POST /v1/cases/{caseId}/resolutions: request field body.lines[].sku is now required']);
  });

  it('refuses making an optional query parameter required', () => {
    // Act
    const found = breakingChanges(
      current,
      changed((document) => (document.paths['/v1/customers/{customerId}/timeline'].get.parameters.find((parameter: { name: string }) => parameter.name === 'limit').required = true)),
    );
    // Assess
    expect(found).toEqual(['GET /v1/customers/{customerId}/timeline: query parameter limit is now required']);
  });

  it('refuses a deprecated route whose responses do not document Deprecation and Sunset', () => {
    // Act
    const found = breakingChanges(current, changed((document) => (document.paths['/v1/health'].get.deprecated = true)));
    // Assess
    expect(found).toContain('GET /v1/health: deprecated, but response 200 does not document Deprecation and Sunset');
  });
});

import { metricSourceOf } from '../../../functions/webhook-ingest/make-handler';

describe('the source dimension of webhook metrics', () => {
  it.each([
    ['a known source', 'shopify', 'shopify'],
    ['any other path segment', 'x'.repeat(30), 'unknown'],
    ['a case variant of a known source', 'Shopify', 'unknown'],
    ['nothing', '', 'unknown'],
  ])('is %s as itself, or unknown', (_name, source, dimension) => {
    // Act / Assess: anyone can call the route, so unbounded values must never become metric dimensions.
    expect(metricSourceOf(source)).toBe(dimension);
  });
});

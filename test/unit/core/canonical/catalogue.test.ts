import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { breakingChanges, eventCatalogue } from '../../../../functions/core/canonical/catalogue';

const DOCS = path.join(__dirname, '..', '..', '..', '..', 'docs', 'events');

describe('canonical event catalogue', () => {
  it.each(eventCatalogue().map((entry) => [entry.fileName, entry] as const))('%s is published and changed only compatibly', (fileName, entry) => {
    // Prepare
    const file = path.join(DOCS, fileName);
    expect(existsSync(file)).toBe(true);
    const published = JSON.parse(readFileSync(file, 'utf8'));

    // Act
    const breaking = breakingChanges(published, entry.schema);

    // Assess
    if (breaking.length > 0) {
      throw new Error(`${entry.detailType} changed incompatibly without a schemaVersion bump:\n  ${breaking.join('\n  ')}`);
    }
    // A compatible change still has to be published: run `npm run events:catalogue`.
    expect(entry.schema).toEqual(published);
  });

  it('detects a removed property, a newly required one, a changed type and a narrowed enum', () => {
    // Prepare
    const before = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' }, c: { type: 'string', enum: ['x', 'y'] } }, required: ['a'] };
    const after = { type: 'object', properties: { b: { type: 'string' }, c: { type: 'string', enum: ['x'] }, d: { type: 'string' } }, required: ['d'] };

    // Act
    const breaking = breakingChanges(before, after);

    // Assess
    expect(breaking).toEqual([
      '(detail).a: removed',
      '(detail).b: type "number" became "string"',
      '(detail).c: values ["y"] no longer allowed',
      '(detail).d: now required',
    ]);
  });

  it('accepts an added optional property', () => {
    // Prepare
    const before = { type: 'object', properties: { a: { type: 'string' } } };
    const after = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } };

    // Act
    const breaking = breakingChanges(before, after);

    // Assess
    expect(breaking).toEqual([]);
  });
});

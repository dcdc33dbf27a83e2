/** `npm run events:catalogue`: writes docs/events/ (one JSON Schema per canonical event, and an index). */
import { writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { eventCatalogue } from '../functions/core/canonical/catalogue';

const directory = path.join(__dirname, '..', 'docs', 'events');
mkdirSync(directory, { recursive: true });
const entries = eventCatalogue();
for (const entry of entries) writeFileSync(path.join(directory, entry.fileName), JSON.stringify(entry.schema, null, 2) + '\n');
const index = [
  '# Canonical event catalogue',
  '',
  'Generated from the zod schemas in `functions/core/canonical/` by `npm run events:catalogue`; do not edit by hand.',
  'Every event on the bus has `source` `retail-sync.<origin>` and the `detail-type` below; the schema describes its `detail`.',
  'An incompatible change must bump `schemaVersion` (a test refuses it otherwise).',
  '',
  '| detail-type | schema version | schema |',
  '| --- | --- | --- |',
  ...entries.map((entry) => `| \`${entry.detailType}\` | ${entry.schemaVersion} | [${entry.fileName}](./${entry.fileName}) |`),
  '',
].join('\n');
writeFileSync(path.join(directory, 'README.md'), index);
console.log(`wrote ${entries.length} schemas to ${path.relative(process.cwd(), directory)}`);

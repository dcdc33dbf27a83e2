/**
 * `npm run openapi`: writes docs/openapi.json from the routes' contracts; `-- --check` only says whether
 * the committed document is current (exit 1 when not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { OPENAPI_DOCUMENT_PATH, openApiDocumentText } from '../lib/openapi';

const file = path.join(__dirname, '..', OPENAPI_DOCUMENT_PATH);
const text = openApiDocumentText();
if (process.argv.includes('--check')) {
  const current = readFileSync(file, 'utf8') === text;
  console.log(current ? `${OPENAPI_DOCUMENT_PATH} is current` : `${OPENAPI_DOCUMENT_PATH} is out of date: run npm run openapi`);
  process.exit(current ? 0 : 1);
}
writeFileSync(file, text);
console.log(`wrote ${OPENAPI_DOCUMENT_PATH}`);

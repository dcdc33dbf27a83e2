import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface VendorFixture {
  source: string;
  topic: string;
  headers: Record<string, string>;
  /** The body exactly as the vendor sent it (raw text: Shopify ids exceed 2^53). */
  rawBody: string;
}

/** Loads a vendor sample from test/fixtures, keeping the body's raw text for signing. */
export const loadFixture = (vendor: string, name: string): VendorFixture => {
  const text = readFileSync(path.join(__dirname, '..', 'fixtures', vendor, `${name}.json`), 'utf8');
  const parsed = JSON.parse(text) as { source: string; topic: string; headers: Record<string, string> };
  // Cut the body's text out of the file so large numbers keep every digit.
  const start = text.indexOf('"body"');
  const open = text.indexOf('{', start);
  let depth = 0;
  let end = open;
  let inString = false;
  for (let index = open; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) {
      end = index + 1;
      break;
    }
  }
  return { source: parsed.source, topic: parsed.topic, headers: parsed.headers, rawBody: text.slice(open, end) };
};

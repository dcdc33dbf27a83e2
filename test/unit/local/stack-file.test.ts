import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { localApiUrl, writeLocalStackFile } from '../../../local/stack-file';

describe("npm run send's target", () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'stack-file-')), 'local-stack.json');
  writeLocalStackFile({ endpoint: 'http://127.0.0.1:5000', stage: 'local', region: 'us-east-1', apiUrl: 'http://127.0.0.1:3999' }, file);

  it('posts to an explicit PORT even while another local stack has left its file', () => {
    // Act
    const url = localApiUrl({ PORT: '4123' }, file);

    // Assess
    expect(url).toBe('http://127.0.0.1:4123');
  });

  it('posts to the running local stack when PORT is not set, else to port 3000', () => {
    // Act
    const fromFile = localApiUrl({}, file);
    const fallback = localApiUrl({}, path.join(path.dirname(file), 'none.json'));

    // Assess
    expect(fromFile).toBe('http://127.0.0.1:3999');
    expect(fallback).toBe('http://127.0.0.1:3000');
  });
});

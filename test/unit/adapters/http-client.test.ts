import { parseRetryAfter } from '../../../functions/adapters/http-client';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T12:00:00.000Z');

  it.each([
    ['reads delay seconds', '120', 120],
    ['rounds fractional seconds up', '1.2', 2],
    ['reads zero seconds', '0', 0],
    ['clamps negative seconds to zero', '-5', 0],
    ['reads an HTTP date as the seconds until it', 'Fri, 27 Nov 2026 12:00:30 GMT', 30],
    ['clamps an HTTP date in the past to zero', 'Fri, 27 Nov 2026 11:59:00 GMT', 0],
    ['gives nothing for a missing header', null, undefined],
    ['gives nothing for an empty header', '', undefined],
    ['gives nothing for text that is neither seconds nor a date', 'soon', undefined],
  ])('%s', (_name, header, expected) => {
    // Prepare: the header as the server sent it, read at `now`

    // Act
    const seconds = parseRetryAfter(header, now);

    // Assess
    expect(seconds).toBe(expected);
  });

  it('rounds the seconds until an HTTP date up', () => {
    // Prepare: HTTP dates have whole seconds; read half a second after noon
    const halfSecondPast = now + 500;

    // Act
    const seconds = parseRetryAfter('Fri, 27 Nov 2026 12:00:30 GMT', halfSecondPast);

    // Assess
    expect(seconds).toBe(30);
  });
});

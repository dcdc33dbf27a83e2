import { parseSecretList } from '../../../functions/adapters/signing-secrets';

describe('parseSecretList', () => {
  it.each([
    ['a JSON array, trimming each secret', '["a", " b "]', ['a', 'b']],
    ['a comma or space separated list', 'a, b c', ['a', 'b', 'c']],
  ])('reads %s', (_name, value, secrets) => {
    // Act
    const parsed = parseSecretList(value);

    // Assess
    expect(parsed).toEqual(secrets);
  });

  it('refuses JSON that is not a list of strings', () => {
    // Act
    const parse = () => parseSecretList('[1]');

    // Assess
    expect(parse).toThrow(/array of strings/);
  });
});

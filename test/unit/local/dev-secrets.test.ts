import { apiKeysFromEnvironment, DEVELOPMENT_API_KEY } from '../../../local/dev-secrets';

describe('apiKeysFromEnvironment', () => {
  it('reads API_KEYS as a comma-separated list, ignoring blanks', () => {
    // Act
    const keys = apiKeysFromEnvironment({ API_KEYS: ' key-one, ,key-two ' });

    // Assess
    expect(keys).toEqual(['key-one', 'key-two']);
  });

  it('falls back to the documented development key when API_KEYS is unset or empty', () => {
    // Act / Assess
    expect(apiKeysFromEnvironment({})).toEqual([DEVELOPMENT_API_KEY]);
    expect(apiKeysFromEnvironment({ API_KEYS: ' , ' })).toEqual([DEVELOPMENT_API_KEY]);
    expect(DEVELOPMENT_API_KEY).toBe('local-dev-key');
  });
});

/**
 * Four projects: pure core (unit), CDK assertions (infra), adapters against the AWS emulator
 * (integration) and the local stack end to end (e2e). One moto server serves the last two; each
 * test file isolates its resources under its own stage name.
 */
// Handlers log through Powertools; keep test output readable unless asked otherwise.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const transform = {
  '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', moduleResolution: 'node', allowJs: true, esModuleInterop: true } }],
};
const common = {
  testEnvironment: 'node',
  transform,
  // @middy/core is ESM-only: let ts-jest transform it.
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  // End-to-end tests wait for asynchronous flows (up to ~15 s on a loaded 2-core machine).
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/lib/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};

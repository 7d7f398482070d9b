/** Jest projects: unit (beside the code), contract (every store adapter), integration (real Redis, real DuckDB), browser (the console in Chromium). */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
const common = {
  testEnvironment: 'node',
  // fastify's inject() loads `cookie`, which ships as ES modules only: let SWC turn it into CommonJS.
  transform: { '^.+\\.ts$': swc, '/node_modules/cookie/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
  testTimeout: 30000,
  // DuckDB's native addon keeps an internal handle (DuckDBNapiRefReaper) alive after every database
  // is closed, and a test that fails half-way must not leave CI waiting either.
  forceExit: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.test.ts'] },
    { ...common, displayName: 'contract', testMatch: ['<rootDir>/test/contract/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    // The web console in Debian's Chromium (playwright-core) against a real service.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'], globalSetup: '<rootDir>/test/browser/global-setup.js' },
  ],
};

// Two tiers (CONVENTIONS.md §8): `unit` has no I/O; `integration` runs against real Kafka and
// PostgreSQL, which tests/harness/global-setup.ts provides (testcontainers or the local stack).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc, '^.+/node_modules/.+\\.m?js$': '<rootDir>/tests/harness/esm-to-cjs.transformer.js' },
  transformIgnorePatterns: [],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: { '^@caravan/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    // No I/O, but some generate large data sets: the timeout only guards against a hang, never
    // against a slow (busy) machine (speed is measured by `npm run bench`).
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools,tests}/**/*.unit.spec.ts'],
      testTimeout: 300_000,
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int.spec.ts', '<rootDir>/tests/**/*.{int,e2e}.spec.ts'],
      globalSetup: '<rootDir>/tests/harness/global-setup.ts',
      globalTeardown: '<rootDir>/tests/harness/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/harness/integration-timeouts.ts'],
      slowTestThreshold: 30,
    },
  ],
  // Two cores: one test file per core; integration files each bring their own database and topics.
  maxWorkers: 2,
  // A client left connected by a failing test must not keep CI waiting until its time limit.
  forceExit: true,
};

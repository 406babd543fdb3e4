/** Tests run against moto servers that each test file starts itself: no shared state, no network. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 120000,
  // The SDK warns once per process that Node 20 support ends in 2027; the Lambda runs nodejs24.x.
  setupFiles: ['<rootDir>/test/support/quiet-sdk.js'],
};

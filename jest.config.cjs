/**
 * Jest runs the TypeScript sources directly: @swc/jest compiles them to CommonJS (no build step,
 * no --experimental-vm-modules) and @babelfish/* resolves to each package's src/.
 */
module.exports = {
  // Shares typed arrays with the main context so onnxruntime-node tensors pass its checks.
  testEnvironment: '<rootDir>/jest-environment.cjs',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/tests', '<rootDir>/infra'],
  // cdk synth output holds copies of the app's files; never look for tests or modules there.
  modulePathIgnorePatterns: ['<rootDir>/infra/cdk.out'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  moduleNameMapper: { '^@babelfish/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts', '^@babelfish/([a-z-]+)/testing$': '<rootDir>/packages/$1/src/testing/index.ts' },
  testTimeout: 180000,
  slowTestThreshold: 60,
  setupFilesAfterEnv: ['<rootDir>/tests/support/retry-system-tests.cjs'],
  reporters: ['default', '<rootDir>/scripts/jest-slowest-files.cjs'],
};

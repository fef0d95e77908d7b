/** Tests run against the real RabbitMQ and PostgreSQL of the machine (see README, Tests). */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '\\.(spec|e2e-spec)\\.ts$',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/workers', '<rootDir>/test', '<rootDir>/bench'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false }] },
  moduleNameMapper: {
    '^@dane/protocol$': '<rootDir>/libs/protocol/src',
    '^@dane/core$': '<rootDir>/libs/dane-core/src',
    '^@dane/core/(.*)$': '<rootDir>/libs/dane-core/src/$1',
    '^@dane/worker$': '<rootDir>/libs/worker-sdk/src',
    '^@dane/worker/(.*)$': '<rootDir>/libs/worker-sdk/src/$1',
    '^@dane/client$': '<rootDir>/libs/client-sdk/src',
    '^@dane/client/(.*)$': '<rootDir>/libs/client-sdk/src/$1',
    '^@dane/api$': '<rootDir>/apps/api/src',
    '^@dane/scheduler$': '<rootDir>/apps/scheduler/src',
    '^@dane/results$': '<rootDir>/apps/results/src',
  },
  testTimeout: 60000,
  maxWorkers: 2,
};

// Unit tests sit beside the code (src/**/*.test.ts); ESM-only packages load through importEsm (vm modules).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'node16', moduleResolution: 'node16', esModuleInterop: true, isolatedModules: true } }] },
  testTimeout: 30000
};

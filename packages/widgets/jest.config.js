// Widget tests run in jsdom; Lumino ships ES modules, which ts-jest transforms too.
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/src'],
  setupFiles: ['<rootDir>/jest.setup.js'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { module: 'commonjs', esModuleInterop: true, isolatedModules: true, allowJs: true } }]
  },
  transformIgnorePatterns: ['/node_modules/(?!@lumino)']
};

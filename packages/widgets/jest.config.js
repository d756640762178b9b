// Widget tests run in jsdom; Lumino and JupyterLab's UI toolkit ship ES modules, which ts-jest transforms
// too; the toolkit's SVG icons load as text.
const esModules = ['@lumino', '@jupyterlab', '@jupyter', '@microsoft', 'exenv-es6', '@rjsf', 'lib0', 'yjs', 'nanoid'];
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/src'],
  setupFiles: ['<rootDir>/jest.setup.js'],
  transform: {
    '\\.svg$': '<rootDir>/jest.raw-transform.js',
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: { module: 'commonjs', jsx: 'react', esModuleInterop: true, isolatedModules: true, allowJs: true } }]
  },
  // kernel-lib's test fixtures are not in its lib/: tests load them from its source (tsconfig.json "paths" types them).
  moduleNameMapper: { '\\.css$': '<rootDir>/jest.raw-transform.js', '^@mdlma/kernel-fixtures/(.*)$': '<rootDir>/../kernel-lib/src/$1.fixture' },
  transformIgnorePatterns: [`/node_modules/(?!(${esModules.join('|')})/)`]
};

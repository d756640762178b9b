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
  moduleNameMapper: { '\\.css$': '<rootDir>/jest.raw-transform.js' },
  transformIgnorePatterns: [`/node_modules/(?!(${esModules.join('|')})/)`]
};

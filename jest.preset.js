// Shared Jest settings for every project. Tests import sibling libraries by package name;
// the mapper points those names at the libraries' TypeScript sources so a test never runs
// against a stale build.
const path = require('node:path');

const librariesRoot = path.join(__dirname, 'libs');

module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/?(*.)+(spec|test).ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'html'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '^.+\\.html$': path.join(__dirname, 'tools/scripts/jest-html-transform.cjs'),
  },
  moduleNameMapper: {
    '^@imagegen/([a-z-]+)$': `${librariesRoot}/$1/src/index.ts`,
    '^@imagegen/([a-z-]+)/([a-z-]+)$': `${librariesRoot}/$1/src/$2/index.ts`,
  },
  coverageReporters: ['text-summary'],
  reporters: ['default', path.join(__dirname, 'tools/scripts/jest-summary-reporter.cjs')],
  testTimeout: 30000,
};

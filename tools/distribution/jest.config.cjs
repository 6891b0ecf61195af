// The distribution checks pack every package once (global setup) and then install and start them the way users
// do; each test starts npm and servers of its own, so the files run one at a time.
module.exports = {
  displayName: 'distribution',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  globalSetup: '<rootDir>/src/test-support/global-setup.mjs',
  globalTeardown: '<rootDir>/src/test-support/global-teardown.mjs',
  maxWorkers: 1,
};

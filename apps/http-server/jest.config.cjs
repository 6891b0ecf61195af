module.exports = {
  displayName: 'http-server',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};

module.exports = {
  displayName: 'stdio-server',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};

module.exports = {
  displayName: 'providers',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};

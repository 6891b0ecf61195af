module.exports = {
  displayName: 'common',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};

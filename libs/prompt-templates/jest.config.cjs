module.exports = {
  displayName: 'prompt-templates',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};

module.exports = {
  displayName: 'mcp-app-views',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};

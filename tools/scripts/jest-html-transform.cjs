// Tests import built MCP App views (`*.html`) as their text, as tsup's text loader does in the published build.
module.exports = {
  process(sourceText) {
    return { code: `module.exports = ${JSON.stringify(sourceText)};` };
  },
};

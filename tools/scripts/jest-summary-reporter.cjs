// Writes each Jest project's counts to reports/jest/<project>.json so `npm test` can print one closing line
// for the whole workspace (Nx restores the file from its cache when the test target is cached).
const fs = require('node:fs');
const path = require('node:path');

class JestSummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const workspaceRoot = path.resolve(__dirname, '..', '..');
    const project = path.relative(workspaceRoot, this.rootDir) || 'root';
    const file = path.join(workspaceRoot, 'reports', 'jest', `${project}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const summary = {
      project,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suites: results.numTotalTestSuites,
    };
    fs.writeFileSync(file, JSON.stringify(summary) + '\n');
  }
}

module.exports = JestSummaryReporter;

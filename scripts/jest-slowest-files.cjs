/**
 * A jest reporter that prints, after a run, the test files that took longest and the share of the
 * run they took (CI's time budget is spent file by file: each e2e file starts its own API, workers
 * and models, and this is where to look first when the run grows), and every test that passed only
 * on a retry (tests/support/retry-system-tests.cjs), so a flaky test shows in CI's last lines.
 */
class SlowestFilesReporter {
  constructor(_globalConfig, options = {}) {
    this.count = options.count ?? 15;
  }

  onRunComplete(_contexts, results) {
    this.printRetried(results);
    this.printSlowest(results);
  }

  printRetried(results) {
    const retried = results.testResults.flatMap((file) =>
      file.testResults.filter((test) => test.status === 'passed' && (test.invocations ?? 1) > 1).map((test) => `  ${file.testFilePath.replace(process.cwd() + '/', '')} › ${test.fullName}`),
    );
    if (retried.length > 0) process.stdout.write(`\ntests that passed only on a retry (flaky: the first failure is printed above, "RETRY"):\n${retried.join('\n')}\n`);
  }

  printSlowest(results) {
    const files = results.testResults
      .map((file) => ({ path: file.testFilePath, seconds: (file.perfStats.end - file.perfStats.start) / 1000 }))
      .filter((file) => Number.isFinite(file.seconds))
      .sort((a, b) => b.seconds - a.seconds);
    if (files.length === 0) return;
    const total = files.reduce((sum, file) => sum + file.seconds, 0);
    const root = process.cwd() + '/';
    const lines = files.slice(0, this.count).map((file) => `  ${file.seconds.toFixed(1).padStart(7)} s  ${file.path.replace(root, '')}`);
    const shown = files.slice(0, this.count).reduce((sum, file) => sum + file.seconds, 0);
    process.stdout.write(`\nslowest test files (${Math.round((shown / total) * 100)}% of ${total.toFixed(0)} s in ${files.length} files):\n${lines.join('\n')}\n\n`);
  }
}

module.exports = SlowestFilesReporter;

/**
 * System tests (tests/e2e, tests/reliability, tests/perf) run real processes on a shared
 * 2-core machine, where a step that takes a second here can take ten under CI's load; each gets
 * one more try. The first failure is printed in full before the retry (logErrorsBeforeRetry), and
 * scripts/jest-slowest-files.cjs lists every test that passed only on its retry at the end of the
 * run, so a flaky test is seen and fixed, not hidden. Unit specs get no retry: they must be
 * deterministic.
 */
const testPath = expect.getState().testPath ?? '';
if (/[\\/]tests[\\/](e2e|reliability|perf)[\\/]/.test(testPath)) {
  jest.retryTimes(1, { logErrorsBeforeRetry: true });
}

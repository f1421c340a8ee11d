import type { ProgressReporter } from '@babelfish/core';

/**
 * Bridges ffmpeg's "seconds written" to the pipeline's 0–100 ProgressReporter. Reports only
 * when the whole percent changes, so a long encode does not flood the job's event stream.
 */
export function secondsToPercent(report: ProgressReporter, durationSeconds: number | undefined, message?: string): (seconds: number) => void {
  let lastPercent = -1;
  return (seconds) => {
    if (!durationSeconds || durationSeconds <= 0) return; // no total, no meaningful percent
    const percent = Math.min(100, Math.max(0, Math.floor((seconds / durationSeconds) * 100)));
    if (percent <= lastPercent) return;
    lastPercent = percent;
    report(percent, message);
  };
}

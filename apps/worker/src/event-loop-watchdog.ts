import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '@babelfish/logger';

/**
 * Logs a warning whenever this process's event loop was blocked for longer than `thresholdMs`
 * within a check period. The event loop renews BullMQ job locks (every lockDuration / 2); if it
 * is blocked for longer than that, locks lapse and jobs are taken as stalled and run twice. Model
 * inference runs in a worker thread for this reason; this makes any regression visible in logs.
 */
export function watchEventLoop(logger: Logger, options: { thresholdMs: number; periodMs?: number }): () => void {
  const histogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();
  const timer = setInterval(() => {
    const maxMs = Math.round(histogram.max / 1e6);
    if (maxMs > options.thresholdMs) {
      logger.warn('event loop blocked', { maxMs, thresholdMs: options.thresholdMs, p99Ms: Math.round(histogram.percentile(99) / 1e6) });
    }
    histogram.reset();
  }, options.periodMs ?? 5000);
  timer.unref();
  return () => {
    clearInterval(timer);
    histogram.disable();
  };
}

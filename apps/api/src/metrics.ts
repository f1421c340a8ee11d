import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProgressEvent } from '@babelfish/core';
import type { JobRepository } from '@babelfish/db';
import type { JobQueues } from '@babelfish/queue';

/**
 * Prometheus metrics for /metrics. Job and queue gauges are read at scrape time (the database
 * and Redis are the truth, whichever replica is scraped); stage durations come from the
 * progress events every API replica receives.
 */
export function createMetrics(deps: { jobs: JobRepository; queues: JobQueues }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'babelfish_api_' });

  const httpDuration = new Histogram({
    name: 'babelfish_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const stageDuration = new Histogram({
    name: 'babelfish_stage_duration_seconds',
    help: 'Wall time of each pipeline stage, from its first to its last progress event',
    labelNames: ['stage'] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const jobsFinished = new Counter({
    name: 'babelfish_jobs_finished_total',
    help: 'Jobs that reached a terminal state, seen by this replica',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'babelfish_jobs',
    help: 'Jobs by state (from the database)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await deps.jobs.countByStatus();
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'babelfish_queue_depth',
    help: 'BullMQ jobs waiting or running, by queue (autoscaling signal for workers)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const depth = await deps.queues.depth();
      for (const [queue, count] of Object.entries(depth)) this.set({ queue }, count);
    },
  });

  const stageStarts = new Map<string, number>();
  const MAX_TRACKED = 10_000;

  return {
    registry,
    httpMiddleware: (): RequestHandler => (req, res, next) => {
      const end = httpDuration.startTimer();
      res.on('finish', () => {
        // Route patterns, not raw paths, so job ids don't explode the label set.
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    },
    observeProgress(event: ProgressEvent) {
      const key = `${event.jobId}|${event.stage}|${event.language ?? ''}`;
      if (event.status === 'completed' || event.status === 'failed') jobsFinished.inc({ status: event.status });
      if (event.status !== 'processing') return;
      if (!stageStarts.has(key) && event.stagePercent < 100) {
        if (stageStarts.size >= MAX_TRACKED) stageStarts.clear();
        stageStarts.set(key, Date.parse(event.at));
      } else if (event.stagePercent >= 100 && stageStarts.has(key)) {
        stageDuration.observe({ stage: event.stage }, (Date.parse(event.at) - stageStarts.get(key)!) / 1000);
        stageStarts.delete(key);
      }
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

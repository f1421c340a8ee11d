import { jobStatuses } from '@babelfish/core';
import { api, ApiError } from '../api';
import { h, liveRegion, replaceChildren, uid } from '../dom';
import { clampPercent, formatDateTime, formatDuration, languageName } from '../format';
import { applyProgress, isActive, isSubtitlesOnly } from '../job-state';
import { watchJobs } from '../realtime';
import type { Job, JobStatus, ProgressEvent } from '../types';
import { statusBadge } from './status-badge';

export type JobList = { element: HTMLElement; refresh: () => Promise<void>; dispose: () => void };

/**
 * Recent jobs with a status filter. Live: each queued/processing job in view is subscribed over
 * Socket.IO and its row redrawn per event; the list is refetched only when one finishes (so it
 * leaves a "processing" filter) or a new job is submitted. No polling.
 */
export function jobList(): JobList {
  const filterId = uid('status-filter');
  const filter = h(
    'select',
    { id: filterId, testid: 'status-filter' },
    h('option', { value: '' }, 'All'),
    ...jobStatuses.map((status) => h('option', { value: status }, status[0]!.toUpperCase() + status.slice(1))),
  );
  const list = h('ul', { class: 'job-list', testid: 'job-list', 'aria-busy': 'true' });
  const status = liveRegion('job-list-status');
  const rows = new Map<string, { job: Job; element: HTMLElement }>();

  const watch = watchJobs([], {
    onSnapshot: (job) => updateRow(job),
    onProgress: (event: ProgressEvent) => {
      const row = rows.get(event.jobId);
      if (!row) return;
      updateRow(applyProgress(row.job, event));
      if (!isActive(event)) void refresh();
    },
  });

  function updateRow(job: Job): void {
    const row = rows.get(job.id);
    if (!row) return;
    const element = renderRow(job);
    row.element.replaceWith(element);
    rows.set(job.id, { job, element });
  }

  async function refresh(): Promise<void> {
    list.setAttribute('aria-busy', 'true');
    try {
      const jobs = await api.listJobs((filter.value || undefined) as JobStatus | undefined);
      rows.clear();
      const elements = jobs.map((job) => {
        const element = renderRow(job);
        rows.set(job.id, { job, element });
        return element;
      });
      replaceChildren(list, ...(elements.length ? elements : [h('li', { class: 'empty' }, 'No jobs yet.')]));
      watch.set(jobs.filter(isActive).map((job) => job.id));
      status.say(`${jobs.length} job${jobs.length === 1 ? '' : 's'} shown.`);
    } catch (error) {
      status.say(error instanceof ApiError ? error.message : String(error), 'error');
    } finally {
      list.setAttribute('aria-busy', 'false');
    }
  }

  filter.addEventListener('change', () => void refresh());
  const refreshButton = h('button', { type: 'button', onclick: () => void refresh() }, 'Refresh');

  const element = h(
    'section',
    { class: 'card jobs', 'aria-labelledby': 'jobs-heading' },
    h('div', { class: 'section-head' }, h('h2', { id: 'jobs-heading' }, 'Jobs'), h('div', { class: 'inline-field' }, h('label', { for: filterId }, 'Status'), filter), refreshButton),
    status,
    list,
  );
  void refresh();
  return { element, refresh, dispose: () => watch.close() };
}

/** The video's frame; a subtitle-only job shows its file's format instead of a blank. */
function thumbnail(job: Job): HTMLElement {
  if (job.thumbnailUrl) return h('img', { class: 'thumb', src: job.thumbnailUrl, alt: '', width: 128, height: 72, loading: 'lazy' });
  const imported = job.options?.importedSubtitles;
  if (imported && isSubtitlesOnly(job)) {
    return h('div', { class: 'thumb placeholder subtitles-only', testid: 'thumb-subtitles', title: 'Subtitle file, no video' }, imported.format.toUpperCase());
  }
  return h('div', { class: 'thumb placeholder', 'aria-hidden': 'true' });
}

function renderRow(job: Job): HTMLElement {
  const source = job.sourceLanguage ? languageName(job.sourceLanguage) : job.detectedLanguage ? `${languageName(job.detectedLanguage)} (detected)` : 'Auto-detect';
  const targets = job.targetLanguages.map(languageName).join(', ');
  return h(
    'li',
    { class: 'job-item', testid: 'job-item', 'data-job-id': job.id, 'data-status': job.status },
    thumbnail(job),
    h(
      'div',
      { class: 'job-main' },
      h('a', { href: `#/jobs/${job.id}`, class: 'job-name', testid: 'job-link' }, job.originalName),
      h('p', { class: 'job-langs' }, `${source} → ${targets}`),
      h('p', { class: 'job-meta' }, `Duration ${formatDuration(job.durationSeconds)} · created ${formatDateTime(job.createdAt)}`),
      job.status === 'failed' && job.error ? h('p', { class: 'job-error' }, job.error) : null,
    ),
    h(
      'div',
      { class: 'job-state' },
      statusBadge(job),
      isActive(job) ? h('progress', { max: 100, value: clampPercent(job.percent), 'aria-label': `Progress of ${job.originalName}` }) : null,
      isActive(job) ? h('span', { class: 'percent' }, `${clampPercent(job.percent)}%`) : null,
    ),
  );
}

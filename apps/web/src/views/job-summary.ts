import { api, ApiError } from '../api';
import { h, liveRegion, replaceChildren } from '../dom';
import { formatDateTime, formatDuration, languageName } from '../format';
import type { Job } from '../types';
import { statusBadge } from './status-badge';

/** Job page heading: name, status, languages, dates, and the delete button. */
export function jobSummary(jobId: string): { element: HTMLElement; render: (job: Job) => void } {
  const title = h('h1', { id: 'job-title', tabindex: '-1', testid: 'job-title' }, 'Job');
  const badgeSlot = h('span', {});
  const facts = h('dl', { class: 'facts' });
  const status = liveRegion('delete-status', 'assertive');
  const remove = h('button', { type: 'button', class: 'danger', testid: 'delete-job' }, 'Delete job');

  remove.addEventListener('click', async () => {
    // A native confirm(): keyboard- and screen-reader-friendly, and blocks until answered.
    if (!window.confirm('Delete this job, its video and all its outputs? This cannot be undone.')) return;
    remove.disabled = true;
    try {
      await api.deleteJob(jobId);
      location.hash = '#/';
    } catch (error) {
      status.say(error instanceof ApiError ? error.message : String(error), 'error');
      remove.disabled = false;
    }
  });

  const element = h(
    'section',
    { class: 'card job-summary', 'aria-labelledby': 'job-title' },
    h('p', { class: 'back' }, h('a', { href: '#/' }, '← All jobs')),
    h('div', { class: 'section-head' }, title, badgeSlot),
    facts,
    h('div', { class: 'actions' }, remove),
    status,
  );

  return {
    element,
    render(job) {
      title.textContent = job.originalName;
      document.title = `${job.originalName} — Babelfish`;
      replaceChildren(badgeSlot, statusBadge(job));
      const source = job.sourceLanguage ? languageName(job.sourceLanguage) : job.detectedLanguage ? `${languageName(job.detectedLanguage)} (detected)` : 'Auto-detect';
      const rows: [string, string][] = [
        ['Languages', `${source} → ${job.targetLanguages.map(languageName).join(', ')}`],
        ['Engine', job.engine ?? 'Best available'],
        ['Duration', formatDuration(job.durationSeconds)],
        ['Created', formatDateTime(job.createdAt)],
        ['Completed', formatDateTime(job.completedAt)],
      ];
      replaceChildren(facts, ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
    },
  };
}

/** Shown only for failed jobs: the reason, in words, and a Retry button. */
export function failurePanel(jobId: string, onRetried: (job: Job) => void): { element: HTMLElement; render: (job: Job) => void } {
  const message = h('p', { class: 'error-text', testid: 'job-error' });
  const retry = h('button', { type: 'button', class: 'primary', testid: 'retry-job' }, 'Retry');
  const status = liveRegion('retry-status');
  const element = h('section', { class: 'card failure', role: 'alert', hidden: true, testid: 'failure-panel' }, h('h2', {}, 'This job failed'), message, h('div', { class: 'actions' }, retry), status);

  retry.addEventListener('click', async () => {
    retry.disabled = true;
    status.say('Retrying…');
    try {
      onRetried(await api.retryJob(jobId));
      status.say('');
    } catch (error) {
      status.say(error instanceof ApiError ? error.message : String(error), 'error');
    } finally {
      retry.disabled = false;
    }
  });

  return {
    element,
    render(job) {
      element.hidden = job.status !== 'failed';
      message.textContent = job.error ?? 'The job failed without a reason.';
    },
  };
}

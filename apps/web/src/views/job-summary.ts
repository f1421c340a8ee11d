import { api, ApiError } from '../api';
import { h, liveRegion, replaceChildren } from '../dom';
import { formatDateTime, formatDuration, languageName } from '../format';
import type { Job, JobMedia, JobTranslation } from '../types';
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
      const rows: [string, string, string?][] = [
        ['Languages', `${source} → ${job.targetLanguages.map(languageName).join(', ')}`],
        ['Engine', job.engine ?? 'Best available', 'job-engine'],
        // The engine that did each language (with "best available", which one that was) and its tokens.
        ...(job.translations && job.translations.length > 0 ? [['Translated by', job.translations.map(describeTranslation).join('; '), 'job-translated-by'] as [string, string, string]] : []),
        ...(job.usage && job.usage.totalTokens > 0
          ? [['Tokens', `${job.usage.totalTokens} (${job.usage.promptTokens} prompt + ${job.usage.completionTokens} completion)`, 'job-tokens'] as [string, string, string]]
          : []),
        ...(job.options?.bilingual ? [['Bilingual', 'yes: the spoken line above each translation'] as [string, string]] : []),
        ...(job.options?.importedSubtitles ? [['Subtitles', importedSummary(job.options.importedSubtitles), 'job-imported-subtitles'] as [string, string, string]] : []),
        ...(job.options?.subtitleRules && Object.keys(job.options.subtitleRules).length > 0
          ? [['Subtitle rules', rulesSummary(job.options.subtitleRules), 'job-subtitle-rules'] as [string, string, string]]
          : []),
        ['Duration', formatDuration(job.durationSeconds)],
        ...(job.media && job.media.audioTracks.length > 1 ? [['Audio', audioSummary(job.media)] as [string, string]] : []),
        ['Created', formatDateTime(job.createdAt)],
        ['Completed', formatDateTime(job.completedAt)],
      ];
      replaceChildren(facts, ...rows.flatMap(([term, value, testid]) => [h('dt', {}, term), h('dd', testid ? { testid } : {}, value)]));
    },
  };
}

/** "Imported from SRT (2 cues), not transcribed". */
function importedSummary(imported: { format: string; cues: number }): string {
  return `Imported from ${imported.format.toUpperCase()} (${imported.cues} cue${imported.cues === 1 ? '' : 's'}), not transcribed`;
}

const ruleNames: Record<string, string> = { maxCharsPerLine: 'characters per line', maxLines: 'lines', maxCharsPerSecond: 'characters/s' };

/** "16 characters per line, 20 characters/s": the job's own rules over the languages' defaults. */
function rulesSummary(rules: Record<string, number | boolean>): string {
  return Object.entries(rules)
    .map(([rule, value]) => `${value} ${ruleNames[rule] ?? rule}`)
    .join(', ');
}

/** "Spanish: llm (qwen2.5:7b), 240 tokens, 1 line by apertium". */
function describeTranslation(entry: JobTranslation): string {
  const parts = [`${languageName(entry.language)}: ${entry.engine}${entry.model ? ` (${entry.model})` : ''}`];
  const tokens = entry.promptTokens + entry.completionTokens;
  if (tokens > 0) parts.push(`${tokens} tokens`);
  if (entry.fallbackLines > 0 && entry.fallbackEngine) parts.push(`${entry.fallbackLines} line${entry.fallbackLines === 1 ? '' : 's'} by ${entry.fallbackEngine}`);
  return parts.join(', ');
}

const chosenBecause = { audioTrack: 'as asked', language: 'matches the spoken language', default: 'the default track', first: 'the first track' } as const;

/** "Track 2 of 3: eng, 5.1 (matches the spoken language). Also: 1 spa, 3 eng commentary". Numbered from 1 for people. */
function audioSummary(media: JobMedia): string {
  const describe = (track: JobMedia['audioTracks'][number]) =>
    [track.language ?? 'no language', track.title, track.channelLayout ?? (track.channels ? `${track.channels} ch` : undefined)].filter(Boolean).join(', ');
  const chosen = media.audioTracks.find((track) => track.track === media.audioTrack);
  const others = media.audioTracks.filter((track) => track !== chosen).map((track) => `${track.track + 1}: ${describe(track)}`);
  const why = media.audioTrackChosenBy ? ` (${chosenBecause[media.audioTrackChosenBy]})` : '';
  const head = chosen ? `Track ${chosen.track + 1} of ${media.audioTracks.length}: ${describe(chosen)}${why}` : `${media.audioTracks.length} tracks`;
  return others.length > 0 ? `${head}. Others: ${others.join('; ')}` : head;
}

/** Shown while a job is queued or running: a Cancel button (the upload stays, so it can be retried). */
export function cancelControl(jobId: string, onCanceled: (job: Job) => void): { element: HTMLElement; render: (job: Job) => void } {
  const button = h('button', { type: 'button', class: 'secondary', testid: 'cancel-job' }, 'Cancel job');
  const status = liveRegion('cancel-status');
  const element = h('div', { class: 'actions cancel-control', hidden: true }, button, status);
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.say('Canceling…');
    try {
      onCanceled(await api.cancelJob(jobId));
      status.say('');
    } catch (error) {
      status.say(error instanceof ApiError ? error.message : String(error), 'error');
    } finally {
      button.disabled = false;
    }
  });
  return {
    element,
    render(job) {
      element.hidden = job.status !== 'queued' && job.status !== 'processing';
    },
  };
}

/** Shown only for failed or canceled jobs: the reason, in words, and a Retry button. */
export function failurePanel(jobId: string, onRetried: (job: Job) => void): { element: HTMLElement; render: (job: Job) => void } {
  const message = h('p', { class: 'error-text', testid: 'job-error' });
  const retry = h('button', { type: 'button', class: 'primary', testid: 'retry-job' }, 'Retry');
  const status = liveRegion('retry-status');
  const heading = h('h2', {}, 'This job failed');
  const element = h('section', { class: 'card failure', role: 'alert', hidden: true, testid: 'failure-panel' }, heading, message, h('div', { class: 'actions' }, retry), status);

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
      element.hidden = job.status !== 'failed' && job.status !== 'canceled';
      heading.textContent = job.status === 'canceled' ? 'This job was canceled' : 'This job failed';
      message.textContent = job.error ?? `The job ${job.status} without a reason.`;
    },
  };
}

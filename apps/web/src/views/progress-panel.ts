import { h, liveRegion, uid } from '../dom';
import { clampPercent, languageName } from '../format';
import { stageLabels, statusLabels } from '../job-state';
import type { Job } from '../types';

type Bar = { row: HTMLElement; progress: HTMLProgressElement; text: HTMLElement };

function bar(label: string, testid: string): Bar {
  const id = uid('bar');
  const progress = h('progress', { id, max: 100, value: 0, 'aria-label': label, testid });
  const text = h('span', { class: 'percent' }, '0%');
  const row = h('div', { class: 'bar-row' }, h('label', { for: id }, label), progress, text);
  return { row, progress, text };
}

function setBar(target: Bar, percent: number | undefined): void {
  const value = clampPercent(percent);
  target.progress.value = value;
  target.text.textContent = `${value}%`;
}

/**
 * Stage-by-stage progress: overall, transcription, one bar per target language, mux. Screen
 * readers hear stage and status changes (not every percent, which would be noise).
 */
export function progressPanel(): { element: HTMLElement; render: (job: Job) => void } {
  const overall = bar('Overall', 'progress-overall');
  const transcribe = bar(stageLabels.transcribe, 'progress-transcribe');
  const mux = bar(stageLabels.mux, 'progress-mux');
  const translateBox = h('div', { class: 'bars' });
  const translateBars = new Map<string, Bar>();
  const announce = liveRegion('progress-status');
  const element = h(
    'section',
    { class: 'card progress-panel', testid: 'progress-panel', 'aria-labelledby': 'progress-heading' },
    h('h2', { id: 'progress-heading' }, 'Progress'),
    announce,
    h('div', { class: 'bars' }, overall.row, transcribe.row),
    translateBox,
    h('div', { class: 'bars' }, mux.row),
  );
  let lastSummary = '';

  return {
    element,
    render(job) {
      element.dataset.status = job.status;
      element.dataset.stage = job.stage;
      for (const language of job.targetLanguages) {
        if (translateBars.has(language)) continue;
        const entry = bar(`Translation to ${languageName(language)}`, `progress-translate-${language}`);
        translateBars.set(language, entry);
        translateBox.append(entry.row);
      }
      const done = job.status === 'completed';
      setBar(overall, done ? 100 : job.percent);
      setBar(transcribe, done ? 100 : job.stageProgress?.transcribe);
      for (const [language, entry] of translateBars) setBar(entry, done ? 100 : job.stageProgress?.translate?.[language]);
      setBar(mux, done ? 100 : job.stageProgress?.mux);

      const summary =
        job.status === 'processing' ? `${statusLabels.processing}: ${stageLabels[job.stage]}` : job.status === 'failed' ? 'Failed' : statusLabels[job.status];
      if (summary !== lastSummary) {
        announce.say(summary, job.status === 'failed' ? 'error' : job.status === 'completed' ? 'success' : 'info');
        lastSummary = summary;
      }
    },
  };
}

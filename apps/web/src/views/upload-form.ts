import { ApiError } from '../api';
import { reachableTargets } from '../catalogue';
import { h, liveRegion, uid } from '../dom';
import { formatBytes } from '../format';
import type { Catalogue, Job } from '../types';
import { DEFAULT_CHUNK_BYTES, submitVideo } from '../upload';
import { languagePicker } from './language-picker';

/**
 * Chunk size override for testing the resumable path with small files
 * (localStorage['babelfish.uploadChunkBytes']); everyone else gets 8 MiB.
 */
function chunkBytes(): number {
  const override = Number(localStorage.getItem('babelfish.uploadChunkBytes'));
  return Number.isInteger(override) && override > 0 ? override : DEFAULT_CHUNK_BYTES;
}

/** The upload form: file, languages, engine (the llm engine's model and style), bilingual output, subtitle rules, a real byte progress bar and server errors. */
export function uploadForm(catalogue: Catalogue, onSubmitted: (job: Job) => void): HTMLElement {
  const fileId = uid('file');
  const engineId = uid('engine');
  const progressId = uid('upload-progress');
  const trackId = uid('audio-track');
  const subtitlesId = uid('subtitles');
  const llmModelId = uid('llm-model');
  const styleId = uid('style');
  const lineCharsId = uid('max-line-chars');
  const linesId = uid('max-lines');
  const speedId = uid('reading-speed');

  // A subtitle file alone is accepted too (the server decides by content): it is translated into subtitle files.
  const fileInput = h('input', { id: fileId, type: 'file', name: 'file', accept: 'video/*,audio/*,.srt,.vtt,.ass,.ssa', required: true, testid: 'file-input' });
  const subtitlesInput = h('input', { id: subtitlesId, type: 'file', name: 'subtitles', accept: '.srt,.vtt,.ass,.ssa', testid: 'subtitles-input' });
  // Spoken: only what Whisper can transcribe; nothing picked means detect it.
  const source = languagePicker({
    label: 'Spoken language',
    languages: catalogue.languages.filter((language) => language.transcribe !== false),
    multiple: false,
    testid: 'source-language',
    emptyText: 'Auto-detect',
  });
  const sourceValue = () => source.values()[0] ?? 'auto';
  const engine = h(
    'select',
    { id: engineId, name: 'engine', testid: 'engine' },
    h('option', { value: '' }, 'Best available'),
    ...catalogue.engines.map((candidate) => h('option', { value: candidate.name }, candidate.name)),
  );
  // Films carry several audio tracks (dubs, commentary); empty lets the server choose the one
  // tagged with the spoken language, else the default one. Numbered from 1 here, 0 on the wire.
  const audioTrack = h('input', { id: trackId, type: 'number', name: 'audioTrack', min: 1, step: 1, placeholder: 'Automatic', testid: 'audio-track' });
  // The llm engine's own choices, shown only while it is the chosen engine; empty = the server's LLM_MODEL, no style note.
  const llmModel = h('input', { id: llmModelId, type: 'text', name: 'llmModel', maxlength: 200, placeholder: 'Server default', autocomplete: 'off', testid: 'llm-model' });
  const style = h('input', { id: styleId, type: 'text', name: 'style', maxlength: 200, placeholder: 'e.g. formal, for children', testid: 'llm-style' });
  const llmFields = h(
    'div',
    { class: 'field-row', hidden: true, testid: 'llm-fields' },
    h('div', { class: 'field' }, h('label', { for: llmModelId }, 'LLM model'), llmModel),
    h('div', { class: 'field' }, h('label', { for: styleId }, 'Style'), style),
  );
  const bilingual = h('input', { type: 'checkbox', name: 'bilingual', testid: 'bilingual' });
  const bilingualLabel = h('label', { class: 'check' }, bilingual, ' Also bilingual subtitles (the spoken line above each translation)');
  // Subtitle rules for this job over each language's defaults (42 characters a line, 2 lines, 17 cps
  // for most; CJK and English have their own); empty keeps the defaults. The server checks the ranges.
  const maxLineChars = h('input', { id: lineCharsId, type: 'number', name: 'maxCharsPerLine', min: 16, max: 80, step: 1, placeholder: 'Language default', testid: 'max-line-chars' });
  const maxLines = h('input', { id: linesId, type: 'number', name: 'maxLines', min: 1, max: 3, step: 1, placeholder: 'Language default', testid: 'max-lines' });
  const readingSpeed = h('input', { id: speedId, type: 'number', name: 'maxCharsPerSecond', min: 8, max: 40, step: 0.5, placeholder: 'Language default', testid: 'reading-speed' });
  const ruleFields = h(
    'div',
    { class: 'field-row', testid: 'subtitle-rules' },
    h('div', { class: 'field' }, h('label', { for: lineCharsId }, 'Characters per line'), maxLineChars),
    h('div', { class: 'field' }, h('label', { for: linesId }, 'Lines per subtitle'), maxLines),
    h('div', { class: 'field' }, h('label', { for: speedId }, 'Reading speed (characters/s)'), readingSpeed),
  );
  const targetPicker = languagePicker({ label: 'Translate into', languages: catalogue.languages, multiple: true, testid: 'target', emptyText: 'No language chosen yet' });
  const targets = h('div', { class: 'targets', testid: 'target-languages' }, targetPicker.element);

  const progress = h('progress', { id: progressId, max: 100, value: 0, 'aria-label': 'Upload progress', testid: 'upload-progress' });
  const progressText = h('span', { class: 'progress-text', testid: 'upload-progress-text' }, 'No upload yet');
  const status = liveRegion('upload-status');
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'upload-submit' }, 'Upload and translate');

  // Mark targets no installed engine reaches from this source, so choices that would be
  // refused (400) are visible before uploading; one already picked is dropped.
  const refreshTargets = () => {
    const from = sourceValue();
    const reachable = reachableTargets(catalogue, from, engine.value);
    const pickable = reachable && new Set([...reachable].filter((code) => code !== from));
    targetPicker.setAvailable(pickable, 'Not available for this spoken language and engine');
  };
  source.onChange(refreshTargets);
  engine.addEventListener('change', refreshTargets);
  const refreshLlmFields = () => {
    llmFields.hidden = engine.value !== 'llm';
  };
  engine.addEventListener('change', refreshLlmFields);
  refreshTargets();

  const form = h(
    'form',
    { class: 'card upload-form', testid: 'upload-form', 'aria-labelledby': 'upload-heading', novalidate: true },
    h('h2', { id: 'upload-heading' }, 'Translate a video'),
    h('div', { class: 'field' }, h('label', { for: fileId }, 'Video file (or a subtitle file alone)'), fileInput),
    h(
      'div',
      { class: 'field' },
      h('label', { for: subtitlesId }, 'Subtitles instead of transcribing (optional: SRT, WebVTT or ASS)'),
      subtitlesInput,
    ),
    h('div', { class: 'field' }, source.element),
    h('div', { class: 'field-row' }, h('div', { class: 'field' }, h('label', { for: engineId }, 'Engine'), engine), h('div', { class: 'field' }, h('label', { for: trackId }, 'Audio track'), audioTrack)),
    llmFields,
    targets,
    h('div', { class: 'field' }, bilingualLabel),
    ruleFields,
    h('div', { class: 'actions' }, submit),
    h('div', { class: 'progress-line' }, h('label', { for: progressId, class: 'visually-hidden' }, 'Upload progress'), progress, progressText),
    status,
  );

  const setBusy = (busy: boolean) => {
    submit.disabled = busy;
    form.setAttribute('aria-busy', String(busy));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = fileInput.files?.[0];
    const to = targetPicker.values();
    fileInput.setAttribute('aria-invalid', String(!file));
    targets.setAttribute('aria-invalid', String(to.length === 0));
    if (!file) return status.say('Choose a video or subtitle file to upload.', 'error');
    if (to.length === 0) return status.say('Choose at least one language to translate into.', 'error');
    const trackNumber = audioTrack.value.trim() === '' ? undefined : Number(audioTrack.value);
    audioTrack.setAttribute('aria-invalid', String(trackNumber !== undefined && !(Number.isInteger(trackNumber) && trackNumber >= 1)));
    if (trackNumber !== undefined && !(Number.isInteger(trackNumber) && trackNumber >= 1)) return status.say('The audio track is a whole number from 1, or empty.', 'error');

    setBusy(true);
    progress.value = 0;
    status.say(`Uploading ${file.name}…`);
    try {
      const job = await submitVideo(file, {
        to,
        from: sourceValue(),
        engine: engine.value || undefined,
        audioTrack: trackNumber === undefined ? undefined : trackNumber - 1,
        subtitles: subtitlesInput.files?.[0],
        ...(engine.value === 'llm' ? { llmModel: llmModel.value.trim() || undefined, style: style.value.trim() || undefined } : {}),
        bilingual: bilingual.checked,
        subtitleRules: subtitleRulesOf({ maxCharsPerLine: maxLineChars, maxLines, maxCharsPerSecond: readingSpeed }),
        chunkBytes: chunkBytes(),
        onProgress: (sent, total) => {
          const percent = total > 0 ? Math.floor((sent / total) * 100) : 100;
          progress.value = percent;
          progressText.textContent = `${formatBytes(sent)} of ${formatBytes(total)} (${percent}%)`;
        },
        onNotice: (message) => status.say(message),
      });
      progress.value = 100;
      status.say(`Uploaded ${file.name}. The job is queued.`, 'success');
      form.reset();
      source.clear();
      targetPicker.clear();
      refreshTargets();
      refreshLlmFields();
      onSubmitted(job);
    } catch (error) {
      status.say(error instanceof ApiError ? error.message : `Upload failed: ${String(error)}`, 'error');
    } finally {
      setBusy(false);
    }
  });

  return form;
}

/** The rule fields that were filled in, as numbers (the server says which is out of range). */
function subtitleRulesOf(fields: Record<string, HTMLInputElement>): Record<string, number> | undefined {
  const rules = Object.fromEntries(Object.entries(fields).flatMap(([rule, input]) => (input.value.trim() === '' ? [] : [[rule, Number(input.value)]])));
  return Object.keys(rules).length > 0 ? rules : undefined;
}

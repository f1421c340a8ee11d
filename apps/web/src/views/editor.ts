import { api, ApiError } from '../api';
import { h, liveRegion, replaceChildren, uid } from '../dom';
import { languageName } from '../format';
import { isActive } from '../job-state';
import type { Job, Problem, SubtitleTrack } from '../types';
import { cueRows } from './cue-rows';

export type EditorCallbacks = { onSaved: (track: SubtitleTrack) => void; onRemuxStarted: (job: Job) => void };

/**
 * Subtitle editor for one chosen track: validates with the server's own rules before sending,
 * saves a new version (PUT with baseVersion, so concurrent edits are refused, not lost), then
 * offers to re-mux the outputs from the latest versions.
 */
export function subtitleEditor(jobId: string, callbacks: EditorCallbacks): {
  element: HTMLElement;
  setTracks: (tracks: SubtitleTrack[]) => void;
  setJob: (job: Job) => void;
} {
  const selectId = uid('edit-track');
  const trackSelect = h('select', { id: selectId, testid: 'editor-track' });
  const version = h('span', { class: 'version', testid: 'editor-version', 'aria-live': 'polite' });
  const status = liveRegion('editor-status');
  let dirty = false;
  const rows = cueRows(() => {
    dirty = true;
  });
  const save = h('button', { type: 'submit', class: 'primary', testid: 'save-subtitles' }, 'Save');
  const remux = h('button', { type: 'button', testid: 'remux', hidden: true }, 'Re-mux outputs');
  const fields = h('fieldset', { class: 'editor-fields' }, h('legend', { class: 'visually-hidden' }, 'Cues'), rows.element);
  const form = h('form', { novalidate: true, testid: 'editor-form' }, fields, h('div', { class: 'actions' }, save, remux), status);
  const busyNote = h('p', { class: 'muted', hidden: true }, 'Editing opens once the job has finished processing.');
  const element = h(
    'section',
    { class: 'card editor', testid: 'subtitle-editor', 'aria-labelledby': 'editor-heading', hidden: true },
    h('div', { class: 'section-head' }, h('h2', { id: 'editor-heading' }, 'Edit subtitles'), h('div', { class: 'inline-field' }, h('label', { for: selectId }, 'Track'), trackSelect), version),
    busyNote,
    form,
  );

  let tracks: SubtitleTrack[] = [];
  let current: SubtitleTrack | undefined;
  // Until the user picks a track, follow the default (first translation) as tracks appear.
  let userChoseTrack = false;
  let job: Job | undefined;
  // 'started' until the job is seen running again, so the 202's stale snapshot can't end it early.
  let remuxPhase: 'idle' | 'started' | 'running' = 'idle';

  function open(track: SubtitleTrack | undefined): void {
    current = track;
    dirty = false;
    version.textContent = track ? `version ${track.version}` : '';
    rows.load(track?.segments ?? [], track?.language ?? '');
  }

  trackSelect.addEventListener('change', () => {
    if (dirty && !window.confirm('Discard your unsaved edits to this track?')) {
      trackSelect.value = current?.language ?? '';
      return;
    }
    userChoseTrack = true;
    open(tracks.find((t) => t.language === trackSelect.value));
    status.say('');
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!current) return;
    const { cues, problems } = rows.read();
    rows.showProblems(problems);
    if (problems.length > 0) {
      status.say(`Not saved: ${problems.length} problem${problems.length === 1 ? '' : 's'} to fix (marked beside the cues).`, 'error');
      return;
    }
    save.disabled = true;
    status.say('Saving…');
    try {
      const saved = await api.saveSubtitles(jobId, current.language, cues, current.version);
      tracks = tracks.map((t) => (t.language === saved.language ? saved : t));
      open(saved);
      status.say(`Saved ${languageName(saved.language)} as version ${saved.version}. Re-mux to update the video files.`, 'success');
      remux.hidden = false;
      callbacks.onSaved(saved);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        const serverProblems = (error.details as { problems?: Problem[] } | undefined)?.problems;
        if (serverProblems) rows.showProblems(serverProblems);
      }
      const message =
        error instanceof ApiError && error.status === 409
          ? 'Not saved: this track was changed elsewhere since you opened it. Reload the page to edit the latest version.'
          : `Not saved: ${error instanceof Error ? error.message : String(error)}`;
      status.say(message, 'error');
    } finally {
      save.disabled = false;
      refreshLock();
    }
  });

  remux.addEventListener('click', async () => {
    remux.disabled = true;
    status.say('Re-muxing the outputs…');
    try {
      remuxPhase = 'started';
      callbacks.onRemuxStarted(await api.remuxJob(jobId));
    } catch (error) {
      remuxPhase = 'idle';
      status.say(`Re-mux failed to start: ${error instanceof Error ? error.message : String(error)}`, 'error');
      remux.disabled = false;
    }
  });

  /** Edits wait while the pipeline runs: a translation or mux in progress would race them. */
  function refreshLock(): void {
    const busy = !job || isActive(job);
    fields.disabled = busy;
    save.disabled = busy;
    busyNote.hidden = !busy;
    if (remuxPhase === 'idle') remux.disabled = busy;
  }

  return {
    element,
    setTracks(next) {
      tracks = next;
      element.hidden = next.length === 0;
      const kept = next.find((t) => t.language === current?.language);
      const chosen = (userChoseTrack || dirty ? kept : undefined) ?? next.find((t) => t.kind === 'translation') ?? kept ?? next[0];
      replaceChildren(
        trackSelect,
        ...next.map((t) => h('option', { value: t.language, selected: t === chosen }, `${languageName(t.language)} (${t.kind === 'source' ? 'original' : 'translation'})`)),
      );
      // Never throw away unsaved typing because fresh data arrived.
      if (!dirty && (chosen?.language !== current?.language || chosen?.version !== current?.version || chosen?.segments.length !== current?.segments.length)) open(chosen);
      if (next.some((t) => t.version > 1)) remux.hidden = false;
    },
    setJob(next) {
      job = next;
      if (remuxPhase === 'started' && isActive(next)) remuxPhase = 'running';
      if (remuxPhase === 'running' && !isActive(next)) {
        remuxPhase = 'idle';
        remux.disabled = false;
        status.say(next.status === 'completed' ? 'Outputs updated with your edits.' : `Re-mux failed: ${next.error ?? 'unknown error'}`, next.status === 'completed' ? 'success' : 'error');
      }
      refreshLock();
    },
  };
}

import { api } from '../api';
import { h, replaceChildren, uid } from '../dom';
import { formatCueTime, languageName } from '../format';
import { isSubtitlesOnly } from '../job-state';
import type { Job, SubtitleTrack } from '../types';

/** Sets `?v=<version>` so the browser fetches an edited track instead of its cached copy. */
export function versionedUrl(url: string, version: number): string {
  const parsed = new URL(url, location.href);
  parsed.searchParams.set('v', String(version));
  return parsed.origin === location.origin ? `${parsed.pathname}${parsed.search}` : parsed.href;
}

/**
 * The original video with one <track> per subtitle language, and the source beside a chosen
 * translation as timestamped lists; a timestamp seeks the video.
 */
export function mediaPanel(jobId: string): { element: HTMLElement; setTracks: (tracks: SubtitleTrack[]) => void; setJob: (job: Job) => void } {
  // The source is set once the job is known: a job made from a subtitle file alone has no video.
  const video = h('video', { controls: true, preload: 'metadata', testid: 'video', 'aria-label': 'Original video with subtitles' });
  const translationId = uid('translation');
  const translationSelect = h('select', { id: translationId, testid: 'translation-select' });
  const sourceList = h('ol', { class: 'cue-list', testid: 'source-segments', 'aria-label': 'Source segments' });
  const translationList = h('ol', { class: 'cue-list', testid: 'translation-segments', 'aria-label': 'Translated segments' });
  const sourceHeading = h('h3', {}, 'Source');
  const heading = h('h2', { id: 'media-heading' }, 'Video and subtitles');
  const videoWrap = h('div', { class: 'video-wrap' }, video);
  let hasVideo = false;
  const empty = h('p', { class: 'muted', testid: 'segments-empty' }, 'Subtitles appear here once transcription finishes.');
  let tracks: SubtitleTrack[] = [];
  let trackKey = '';

  const element = h(
    'section',
    { class: 'card media-panel', 'aria-labelledby': 'media-heading' },
    heading,
    videoWrap,
    empty,
    h(
      'div',
      { class: 'side-by-side' },
      h('div', { class: 'column' }, sourceHeading, sourceList),
      h('div', { class: 'column' }, h('div', { class: 'inline-field' }, h('label', { for: translationId }, 'Translation'), translationSelect), translationList),
    ),
  );

  function renderCues(list: HTMLElement, track: SubtitleTrack | undefined): void {
    replaceChildren(
      list,
      ...(track?.segments ?? []).map((cue) =>
        h(
          'li',
          { 'data-start': cue.start, 'data-end': cue.end },
          h('button', { type: 'button', class: 'timestamp', 'aria-label': `Play from ${formatCueTime(cue.start)}`, onclick: () => seek(cue.start) }, formatCueTime(cue.start)),
          h('span', { class: 'cue-text', lang: track?.language }, cue.text),
        ),
      ),
    );
  }

  function seek(seconds: number): void {
    if (!hasVideo) return;
    video.currentTime = seconds;
    if (video.paused) void video.play().catch(() => undefined); // autoplay may be refused; the seek still happened
  }

  // Mark the cue being spoken so the lists follow the video.
  video.addEventListener('timeupdate', () => {
    const t = video.currentTime;
    for (const item of element.querySelectorAll<HTMLElement>('.cue-list li')) {
      const current = Number(item.dataset.start) <= t && t < Number(item.dataset.end);
      item.classList.toggle('current', current);
      if (current) item.setAttribute('aria-current', 'true');
      else item.removeAttribute('aria-current');
    }
  });

  translationSelect.addEventListener('change', () => renderCues(translationList, tracks.find((t) => t.language === translationSelect.value && t.kind === 'translation')));

  function rebuildTrackElements(): void {
    const showing = [...video.textTracks].find((t) => t.mode === 'showing')?.language;
    video.querySelectorAll('track').forEach((node) => node.remove());
    const firstTranslation = tracks.find((t) => t.kind === 'translation');
    // Keep whatever the viewer had on; otherwise the first translation.
    const wanted = showing ?? firstTranslation?.language;
    for (const track of tracks) {
      const node = h('track', { kind: 'subtitles', srclang: track.language, label: `${languageName(track.language)}${track.kind === 'source' ? ' (original)' : ''}`, src: versionedUrl(track.vttUrl, track.version) });
      if (track === firstTranslation) node.default = true;
      video.append(node);
    }
    // Chromium's automatic track selection runs a task after tracks are added and turns on the
    // track in the browser's own language as well; set every mode after it, explicitly.
    const applyModes = () => {
      for (const textTrack of video.textTracks) textTrack.mode = textTrack.language === wanted ? 'showing' : 'disabled';
    };
    applyModes();
    setTimeout(applyModes, 0);
  }

  return {
    element,
    /** Loads the video; a job made from a subtitle file alone has nothing to play, so the panel shows the cues only. */
    setJob(job) {
      const withoutVideo = isSubtitlesOnly(job);
      videoWrap.hidden = withoutVideo;
      heading.textContent = withoutVideo ? 'Subtitles' : 'Video and subtitles';
      if (withoutVideo || hasVideo) return;
      hasVideo = true;
      video.src = api.videoUrl(jobId);
    },
    setTracks(next) {
      tracks = next;
      const key = next.map((t) => `${t.language}@${t.version}`).join(',');
      if (key !== trackKey) {
        trackKey = key;
        rebuildTrackElements();
      }
      empty.hidden = next.length > 0;
      const source = next.find((t) => t.kind === 'source');
      sourceHeading.textContent = source ? `Source (${languageName(source.language)})` : 'Source';
      renderCues(sourceList, source);
      const translations = next.filter((t) => t.kind === 'translation');
      const chosen = translations.some((t) => t.language === translationSelect.value) ? translationSelect.value : translations[0]?.language;
      replaceChildren(translationSelect, ...translations.map((t) => h('option', { value: t.language, selected: t.language === chosen }, languageName(t.language))));
      translationSelect.disabled = translations.length === 0;
      renderCues(translationList, translations.find((t) => t.language === chosen));
    },
  };
}

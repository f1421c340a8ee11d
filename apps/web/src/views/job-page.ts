import { api, ApiError } from '../api';
import { loadCatalogue } from '../catalogue';
import { h } from '../dom';
import { applyProgress, isActive } from '../job-state';
import { watchJobs } from '../realtime';
import type { Job, ProgressEvent, SubtitleTrack } from '../types';
import type { View } from '../view';
import { downloadsPanel } from './downloads';
import { subtitleEditor } from './editor';
import { failurePanel, cancelControl, jobSummary } from './job-summary';
import { mediaPanel } from './media-panel';
import { progressPanel } from './progress-panel';

/**
 * `#/jobs/<id>`: one job, kept live over Socket.IO. The subscribe ack's snapshot is the starting
 * point (so a reload mid-job carries on) and every (re)connect re-subscribes and re-renders it.
 * Subtitles and outputs are refetched when the pipeline moves on, not on every percent.
 */
export function jobPage(jobId: string): View {
  const summary = jobSummary(jobId);
  const progress = progressPanel();
  const failure = failurePanel(jobId, (job) => setJob(job));
  const cancel = cancelControl(jobId, (job) => setJob(job));
  const media = mediaPanel(jobId);
  const downloads = downloadsPanel(jobId);
  const editor = subtitleEditor(jobId, {
    onSaved: (track) => setTracks(tracks.map((t) => (t.language === track.language ? track : t))),
    onRemuxStarted: (job) => setJob(job),
  });
  const notFound = h('p', { class: 'card error-text', role: 'alert', hidden: true, testid: 'job-not-found' });
  const element = h(
    'div',
    { class: 'job-page', testid: 'job-page', 'data-job-id': jobId },
    notFound,
    summary.element,
    failure.element,
    progress.element,
    cancel.element,
    h('div', { class: 'work-grid' }, media.element, editor.element),
    downloads.element,
  );

  let job: Job | undefined;
  let tracks: SubtitleTrack[] = [];

  function setTracks(next: SubtitleTrack[]): void {
    tracks = next;
    media.setTracks(next);
    editor.setTracks(next);
  }

  const refreshTracks = () =>
    api.subtitles(jobId).then(setTracks, () => undefined /* not there yet; the next stage change retries */);

  function setJob(next: Job, fromEvent = false): void {
    // A REST answer can be older than an event that overtook it (e.g. the remux 202): keep the newer.
    if (!fromEvent && job && Date.parse(next.updatedAt) < Date.parse(job.updatedAt)) return;
    const previous = job;
    job = next;
    element.dataset.status = next.status;
    summary.render(next);
    progress.render(next);
    cancel.render(next);
    failure.render(next);
    editor.setJob(next);
    media.setJob(next);
    const stageMoved = previous?.stage !== next.stage || previous?.status !== next.status;
    if (stageMoved && (next.stage !== 'transcribe' || !isActive(next))) void refreshTracks();
    if (previous && isActive(previous) && next.status === 'completed') void downloads.refresh();
  }

  const watch = watchJobs([jobId], {
    onSnapshot: (snapshot) => setJob(snapshot, true),
    onProgress: (event: ProgressEvent) => {
      // A 'processing' event after the job ended is either a straggler of the run that just
      // finished (stages report on throttled timers) or the start of a retry/remux: the job row
      // decides which, so a fast job never flips back to "processing" for good.
      if (job && !isActive(job) && isActive(event)) {
        void api.getJob(jobId).then((fresh) => setJob(fresh, true), () => undefined);
        return;
      }
      if (job) setJob(applyProgress(job, event), true);
      // The final event lacks fields such as completedAt; fetch the job once it settles.
      if (!isActive(event)) void api.getJob(jobId).then((fresh) => setJob(fresh, true), () => undefined);
    },
    onError: (_id, message) => showNotFound(message),
  });

  function showNotFound(message: string): void {
    notFound.textContent = message;
    notFound.hidden = false;
  }

  void loadCatalogue().then(async () => {
    try {
      const first = await api.getJob(jobId);
      if (!job) setJob(first, true);
      else summary.render(job); // language names arrived after the socket snapshot
      await downloads.refresh();
    } catch (error) {
      showNotFound(error instanceof ApiError ? error.message : String(error));
    }
  });

  return { element, title: 'Babelfish — job', dispose: () => watch.close() };
}

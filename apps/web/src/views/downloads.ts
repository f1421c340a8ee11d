import { api, ApiError } from '../api';
import { h, replaceChildren } from '../dom';
import { formatBytes, languageName } from '../format';
import type { Output } from '../types';

const kindLabels: Record<string, string> = {
  srt: 'SRT subtitles',
  vtt: 'WebVTT subtitles',
  ass: 'ASS subtitles',
  mp4: 'MP4 video',
  mkv: 'MKV video',
  transcript: 'Transcript (JSON)',
  'bilingual-srt': 'Bilingual SRT subtitles',
  'bilingual-vtt': 'Bilingual WebVTT subtitles',
  'bilingual-ass': 'Bilingual ASS subtitles',
};

/** The job's output files as plain download links (name, kind, size). */
export function downloadsPanel(jobId: string): { element: HTMLElement; refresh: () => Promise<void> } {
  const list = h('ul', { class: 'downloads', testid: 'downloads' });
  const note = h('p', { class: 'muted' }, 'Files appear here when the job completes.');
  const element = h('section', { class: 'card', 'aria-labelledby': 'downloads-heading' }, h('h2', { id: 'downloads-heading' }, 'Downloads'), note, list);

  return {
    element,
    async refresh() {
      let outputs: Output[];
      try {
        outputs = await api.outputs(jobId);
      } catch (error) {
        note.textContent = `Could not list the outputs: ${error instanceof ApiError ? error.message : String(error)}`;
        return;
      }
      note.hidden = outputs.length > 0;
      replaceChildren(
        list,
        ...outputs.map((output) =>
          h(
            'li',
            {},
            h('a', { href: output.url, download: output.name, testid: 'download-link', 'data-kind': output.kind, 'data-language': output.language ?? '' }, output.name),
            h('span', { class: 'muted' }, ` ${kindLabels[output.kind] ?? output.kind}${output.language ? `, ${languageName(output.language)}` : ''} · ${formatBytes(output.bytes)}`),
          ),
        ),
      );
    },
  };
}

import type { ProgressEvent } from '@babelfish/core';
import type { DownloadProgress } from '@babelfish/ml';

/** A one-line progress bar on stderr (stdout stays clean for the list of output paths). */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr) {
  const width = 30;
  let lastLine = '';
  return {
    update(event: ProgressEvent) {
      const filled = Math.round((event.percent / 100) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const label = event.stage === 'translate' && event.language ? `translate ${event.language}` : event.stage === 'download' ? 'downloading model' : event.stage;
      const line = `[${bar}] ${event.percent.toFixed(0).padStart(3)}%  ${label} ${event.stagePercent}%${event.message ? ` · ${event.message}` : ''}`;
      if (line === lastLine) return;
      lastLine = line;
      if (stream.isTTY) stream.write(`\r\x1b[2K${line}`);
      else stream.write(`${line}\n`);
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

/**
 * A model download on stderr: one redrawn line per file on a terminal; elsewhere (logs, CI) a
 * line per file every 10%, so a 50 MB file does not print thousands of lines.
 */
export function createDownloadBar(stream: NodeJS.WriteStream = process.stderr) {
  const width = 30;
  let lastLine = '';
  let open = false;
  return {
    update(progress: DownloadProgress) {
      const percent = progress.total ? Math.floor((100 * progress.loaded) / progress.total) : 0;
      const shown = stream.isTTY ? percent : Math.floor(percent / 10) * 10;
      const filled = Math.round((shown / 100) * width);
      const size = progress.total ? `${(progress.loaded / 1e6).toFixed(1)}/${(progress.total / 1e6).toFixed(1)} MB` : `${(progress.loaded / 1e6).toFixed(1)} MB`;
      const line = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(shown).padStart(3)}%  ${progress.modelId} ${progress.file} (${progress.index}/${progress.count})`;
      if (line === lastLine) return;
      lastLine = line;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line}  ${size}`);
        open = true;
        if (progress.total !== undefined && progress.loaded >= progress.total) {
          stream.write('\n');
          open = false;
        }
      } else stream.write(`${line}  ${size}\n`);
    },
    done() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}

import type { ProgressEvent } from '@babelfish/core';

/** A one-line progress bar on stderr (stdout stays clean for the list of output paths). */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr) {
  const width = 30;
  let lastLine = '';
  return {
    update(event: ProgressEvent) {
      const filled = Math.round((event.percent / 100) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const label = event.stage === 'translate' && event.language ? `translate ${event.language}` : event.stage;
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

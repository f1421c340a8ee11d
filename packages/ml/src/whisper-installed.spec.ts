import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { modelsDir } from './test-fixtures';
import { temperaturesFrom } from './whisper';
import { installedWhisperModels } from './whisper-installed';

describe('installedWhisperModels', () => {
  it('lists each Whisper model with every file the loader reads, from the models folder and the cache', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-installed-'));
    try {
      // A half-installed model (no ONNX files) and a model that is not Whisper are left out.
      fs.mkdirSync(path.join(cache, 'Xenova', 'whisper-small'), { recursive: true });
      fs.writeFileSync(path.join(cache, 'Xenova', 'whisper-small', 'config.json'), '{}');
      expect(installedWhisperModels({ modelsDir, cacheDir: cache }, 'q8')).toEqual(['Xenova/whisper-base', 'Xenova/whisper-tiny']);
      // The shared folder holds 8-bit files only.
      expect(installedWhisperModels({ modelsDir, cacheDir: '' }, 'fp16')).toEqual([]);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('temperaturesFrom', () => {
  const schedule = [0, 0.2, 0.4, 0.6, 0.8, 1];
  it('starts the fallback schedule at the asked temperature and keeps the hotter steps', () => {
    expect(temperaturesFrom(undefined, schedule)).toEqual(schedule);
    expect(temperaturesFrom(0, schedule)).toEqual(schedule);
    expect(temperaturesFrom(0.5, schedule)).toEqual([0.5, 0.6, 0.8, 1]);
    expect(temperaturesFrom(1, schedule)).toEqual([1]);
  });
});

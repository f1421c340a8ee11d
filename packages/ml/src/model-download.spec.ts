import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadModel, type DownloadProgress } from './model-download';
import { ensureModelFiles } from './model-ensure';
import { modelFiles } from './model-files';

/** A tiny hub: `/<org>/<model>/resolve/main/<file>` from a map; `truncate` sends half a body under a full length. */
function startHub(files: Record<string, string>, options: { truncate?: string } = {}) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url!);
    const body = files[req.url!];
    if (body === undefined) return void res.writeHead(404).end('Entry not found');
    if (req.url === options.truncate) {
      res.writeHead(200, { 'content-length': body.length * 2 });
      res.write(body);
      return void setTimeout(() => res.destroy(), 50); // after the headers and half the body have gone out
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  return new Promise<{ url: string; requests: string[]; close: () => void }>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() })),
  );
}

const file = (model: string, path: string) => `/${model}/resolve/main/${path}`;

describe('downloadModel', () => {
  it('writes the files under the cache, reports bytes, skips optional files the hub lacks', async () => {
    const hub = await startHub({ [file('acme/thing', 'a.json')]: '{"a":1}', [file('acme/thing', 'onnx/m.onnx')]: 'x'.repeat(5000) });
    const cacheDir = mkdtempSync(join(tmpdir(), 'bf-dl-'));
    const seen: DownloadProgress[] = [];
    try {
      const result = await downloadModel('acme/thing', {
        hubUrl: `${hub.url}/`,
        cacheDir,
        files: [{ path: 'a.json' }, { path: 'maybe.json', optional: true }, { path: 'onnx/m.onnx' }],
        onProgress: (progress) => seen.push(progress),
      });
      expect(result).toEqual({ modelId: 'acme/thing', fetched: ['a.json', 'onnx/m.onnx'], bytes: 5007 });
      expect(readFileSync(join(cacheDir, 'acme/thing/a.json'), 'utf8')).toBe('{"a":1}');
      expect(seen.at(-1)).toEqual({ modelId: 'acme/thing', file: 'onnx/m.onnx', index: 3, count: 3, loaded: 5000, total: 5000 });
      expect(seen[0]).toMatchObject({ file: 'a.json', loaded: 0, total: 7 });
    } finally {
      hub.close();
    }
  });

  it('leaves no partial file behind when the connection drops mid-file', async () => {
    const hub = await startHub({ [file('acme/thing', 'big.onnx')]: 'y'.repeat(100_000) }, { truncate: file('acme/thing', 'big.onnx') });
    const cacheDir = mkdtempSync(join(tmpdir(), 'bf-dl-'));
    try {
      await expect(downloadModel('acme/thing', { hubUrl: hub.url, cacheDir, files: [{ path: 'big.onnx' }] })).rejects.toMatchObject({
        code: 'MODEL_UNAVAILABLE',
        message: expect.stringMatching(new RegExp(`^could not download acme/thing from ${hub.url}: (connection closed by the server|big.onnx: )`)),
      });
      expect(readdirSync(join(cacheDir, 'acme/thing'))).toEqual([]);
    } finally {
      hub.close();
    }
  });
});

describe('ensureModelFiles', () => {
  const whisperFiles = (model: string) => Object.fromEntries(modelFiles(model).map((entry) => [file(model, entry.path), `${entry.path} bytes`]));

  it('downloads once for concurrent callers, then finds the cache without the network', async () => {
    const hub = await startHub(whisperFiles('acme/whisper-x'));
    const settings = { modelsDir: mkdtempSync(join(tmpdir(), 'bf-models-')), cacheDir: mkdtempSync(join(tmpdir(), 'bf-cache-')), allowRemote: true, hubUrl: hub.url };
    const heard = [0, 0];
    try {
      const results = await Promise.all([
        ensureModelFiles('acme/whisper-x', { settings, onProgress: () => heard[0]!++ }),
        ensureModelFiles('acme/whisper-x', { settings, onProgress: () => heard[1]!++ }),
      ]);
      expect(results).toEqual(['downloaded', 'downloaded']);
      expect(hub.requests).toHaveLength(7);
      expect(heard[0]).toBeGreaterThan(0);
      expect(heard[1]).toBe(heard[0]);
    } finally {
      hub.close();
    }
    expect(await ensureModelFiles('acme/whisper-x', { settings: { ...settings, allowRemote: false } })).toBe('present');
    expect(await ensureModelFiles('acme/whisper-x', { settings })).toBe('present');
  });

  it('uses a complete model in the models folder as it is', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'bf-models-'));
    for (const entry of modelFiles('acme/whisper-y')) {
      mkdirSync(join(modelsDir, 'acme/whisper-y', entry.path, '..'), { recursive: true });
      writeFileSync(join(modelsDir, 'acme/whisper-y', entry.path), 'x');
    }
    const settings = { modelsDir, cacheDir: mkdtempSync(join(tmpdir(), 'bf-cache-')), allowRemote: true, hubUrl: 'http://127.0.0.1:1' };
    expect(await ensureModelFiles('acme/whisper-y', { settings })).toBe('present');
  });

  it('keeps the offline error when downloads are disabled', async () => {
    const settings = { modelsDir: mkdtempSync(join(tmpdir(), 'bf-models-')), cacheDir: mkdtempSync(join(tmpdir(), 'bf-cache-')), allowRemote: false };
    await expect(ensureModelFiles('acme/whisper-z', { settings })).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', message: expect.stringMatching(/remote model downloads are disabled/) });
  });
});

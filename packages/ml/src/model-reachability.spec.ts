import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { configureModels } from './model-env';
import { canObtainModel } from './model-reachability';
import { modelsDir } from './test-fixtures';
import { createEngineRegistry } from './translation/registry';

/**
 * "Remote loading on" is not "available": NLLB and Marian count only when installed or when the
 * hub answers for them. A loopback server stands in for the hub (only NLLB's config.json is
 * there); a released port stands in for an unreachable one.
 */
describe('which text models can really be had', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-reach-'));
  const asked: string[] = [];
  const hub = http.createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    const found = req.url === '/Xenova/nllb-200-distilled-600M/resolve/main/config.json';
    res.writeHead(found ? 200 : 404).end(found && req.method !== 'HEAD' ? '{}' : undefined);
  });
  let hubUrl = '';
  let closedUrl = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => hub.close(() => resolve()));
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('offers NLLB when the hub serves it, and Marian not when the hub lacks its models', async () => {
    configureModels({ modelsDir, cacheDir: cache, allowRemote: true, hubUrl });
    const registry = createEngineRegistry({ modelsDir, cacheDir: cache, allowRemote: true, whisperModelId: 'Xenova/whisper-base' });
    expect((await registry.resolve('en', 'es')).name).toBe('nllb');
    expect(await registry.get('marian').pairs()).toEqual([]);
    expect(asked).toContain('HEAD /Xenova/nllb-200-distilled-600M/resolve/main/config.json');
    // Remembered: asking again sends nothing.
    const before = asked.length;
    expect(await canObtainModel('Xenova/nllb-200-distilled-600M')).toBe(true);
    expect(asked.length).toBe(before);
  });

  it('falls back to an installed engine at once when the hub cannot be reached', async () => {
    configureModels({ modelsDir, cacheDir: cache, allowRemote: true, hubUrl: closedUrl });
    const registry = createEngineRegistry({ modelsDir, cacheDir: cache, allowRemote: true, whisperModelId: 'Xenova/whisper-base' });
    const started = Date.now();
    expect((await registry.resolve('en', 'es')).name).toBe('apertium');
    expect(await registry.get('nllb').pairs()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('never asks the hub when remote loading is off', async () => {
    const before = asked.length;
    expect(await canObtainModel('Xenova/nllb-200-distilled-600M', { modelsDir, cacheDir: cache, allowRemote: false, hubUrl })).toBe(false);
    expect(asked.length).toBe(before);
  });
});

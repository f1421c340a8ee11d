import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createSilentLogger } from '@babelfish/logger';
import { openProcessTempDir } from './process-temp-dir';

describe('openProcessTempDir', () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-process-tmp-'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const folder = (name: string, owner: { pid: number; host: string } | undefined, ageMs = 0) => {
    const dir = path.join(base, name);
    fs.mkdirSync(path.join(dir, 'transcribe-x'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'transcribe-x', 'audio.wav'), 'x');
    if (owner) fs.writeFileSync(path.join(dir, '.owner.json'), JSON.stringify(owner));
    const when = new Date(Date.now() - ageMs);
    if (owner) fs.utimesSync(path.join(dir, '.owner.json'), when, when);
    fs.utimesSync(dir, when, when);
  };

  it("removes the folders of dead processes and other hosts' stale ones, keeps live ones, and its own on close", async () => {
    const host = os.hostname();
    const deadPid = spawnSync('true').pid;
    folder('worker-dead', { pid: deadPid, host });
    folder('worker-live', { pid: process.ppid, host }, 3600_000); // old marker, but its process runs
    folder('worker-elsewhere-fresh', { pid: 1, host: 'another-host' });
    folder('worker-elsewhere-stale', { pid: 1, host: 'another-host' }, 3600_000);
    folder('unmarked-stale', undefined, 3600_000);
    folder('unmarked-fresh', undefined);

    const temp = await openProcessTempDir(base, createSilentLogger(), { heartbeatMs: 60_000 });
    expect(fs.readdirSync(base).sort()).toEqual(['unmarked-fresh', 'worker-elsewhere-fresh', 'worker-live', path.basename(temp.dir)].sort());
    expect(JSON.parse(fs.readFileSync(path.join(temp.dir, '.owner.json'), 'utf8'))).toEqual({ pid: process.pid, host });

    await temp.close();
    expect(fs.existsSync(temp.dir)).toBe(false);
  });
});

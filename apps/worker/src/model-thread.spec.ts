import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '@babelfish/core';
import { ModelThread } from './model-thread';

/**
 * The envelope both model threads speak (ready or load-failed once; per call, events and one
 * result or error), against a real worker_thread running a small script that speaks it.
 */
const dir = mkdtempSync(join(tmpdir(), 'bf-model-thread-'));
const script = (name: string, body: string) => {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `import { parentPort, workerData } from 'node:worker_threads';\nconst send = (m) => parentPort.postMessage(m);\n${body}\n`);
  return pathToFileURL(file);
};

// Echoes `text` back upper-cased after two progress events; 'fail' answers an error with a code;
// 'crash' ends the thread while calls are in flight; 'hang' is never answered.
const echo = script(
  'echo',
  `parentPort.on('message', (m) => {
    if (m.op === 'crash') process.exit(3);
    if (m.op === 'hang') return;
    if (m.op === 'fail') return send({ type: 'error', id: m.id, error: { name: 'AppError', message: 'no such model', code: 'MODEL_UNAVAILABLE' } });
    send({ type: 'progress', id: m.id, percent: 50 });
    send({ type: 'progress', id: m.id, percent: 100 });
    send({ type: 'result', id: m.id, value: m.text.toUpperCase() });
  });
  send({ type: 'ready' });`,
);
const loadFails = script('load-fails', `send({ type: 'load-failed', error: { name: 'AppError', message: 'weights missing', code: 'MODEL_UNAVAILABLE' } });`);
const diesAtStart = script('dies-at-start', 'process.exit(7);');

type Progress = { type: 'progress'; id: number; percent: number };

describe('ModelThread', () => {
  it('routes each reply to its call: events, then the result; an error keeps its AppError code', async () => {
    const thread = await ModelThread.start<Progress>('echo', echo, {}, () => undefined);
    const seen: Record<number, number[]> = {};
    const call = (text: string) => {
      const id = thread.nextId();
      seen[id] = [];
      return thread.call<string>(id, { id, op: 'echo', text }, { onEvent: (event) => seen[id]!.push(event.percent) });
    };
    await expect(Promise.all([call('a'), call('b')])).resolves.toEqual(['A', 'B']);
    expect(Object.values(seen)).toEqual([
      [50, 100],
      [50, 100],
    ]);
    const id = thread.nextId();
    const failed = await thread.call(id, { id, op: 'fail' }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AppError);
    expect((failed as AppError).code).toBe('MODEL_UNAVAILABLE');
    await thread.dispose();
  });

  it('a thread that dies fails every call in flight with the reason, tells its owner, and refuses new calls', async () => {
    const exits: Error[] = [];
    const thread = await ModelThread.start<Progress>('echo', echo, {}, (reason) => exits.push(reason));
    const waiting = thread.nextId();
    const inFlight = thread.call(waiting, { id: waiting, op: 'hang' }).catch((error: Error) => error);
    const crash = thread.nextId();
    const crashing = thread.call(crash, { id: crash, op: 'crash' }).catch((error: Error) => error);
    const [first, second] = await Promise.all([inFlight, crashing]);
    expect(String(first)).toContain('The echo thread exited (code 3)');
    expect(second).toBe(first);
    expect(exits).toEqual([first]);
    const late = thread.nextId();
    await expect(thread.call(late, { id: late, op: 'echo', text: 'x' })).rejects.toBe(first);
  });

  it('a forgotten call drops its late reply (the caller was answered already)', async () => {
    const thread = await ModelThread.start<Progress>('echo', echo, {}, () => undefined);
    const id = thread.nextId();
    let settled = false;
    void thread.call(id, { id, op: 'echo', text: 'late' }).finally(() => (settled = true));
    expect(thread.forget(id)).toBe(true);
    expect(thread.forget(id)).toBe(false);
    // A later call's round trip comes after the forgotten one's reply.
    const next = thread.nextId();
    await expect(thread.call(next, { id: next, op: 'echo', text: 'next' })).resolves.toBe('NEXT');
    expect(settled).toBe(false);
    await thread.dispose();
  });

  it('start rejects with the load error, or with why the thread died while starting', async () => {
    const failed = await ModelThread.start('loader', loadFails, {}, () => undefined).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AppError);
    expect((failed as AppError).code).toBe('MODEL_UNAVAILABLE');
    expect((failed as AppError).message).toBe('weights missing');
    await expect(ModelThread.start('loader', diesAtStart, {}, () => undefined)).rejects.toThrow('The loader thread exited (code 7) while starting');
  });
});

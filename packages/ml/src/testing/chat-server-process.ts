import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ChatScript, RecordedRequest } from './chat-completions-server';

export type { ChatScript, RecordedRequest, ScriptStep } from './chat-completions-server';
export { DEFAULT_SUMMARY, DEFAULT_SUMMARY_REPLY } from './scripted-summary';

export type ChatServerProcess = {
  /** The OpenAI-style base URL (…/v1). */
  baseUrl: string;
  /** Replaces the script and forgets the requests so far. */
  setScript(script: ChatScript): Promise<void>;
  /** The requests so far: translation requests by default, or the summary requests, or all. */
  requests(kind?: RecordedRequest['kind'] | 'all'): Promise<RecordedRequest[]>;
  /** The most chat requests the server had open at once since the last setScript. */
  maxInFlight(): Promise<number>;
  stop(): Promise<void>;
};

/** Starts chat-completions-server.ts in its own process on a free loopback port. */
export async function startChatServer(script: ChatScript = {}, timeoutMs = 30_000): Promise<ChatServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'chat-completions-server.ts')], {
    env: { ...process.env, CHAT_SCRIPT: JSON.stringify(script), PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chat server did not start:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chat server exited with ${code}:\n${output}`));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  // A test that blocked its event loop (execFileSync of the CLI) may find its kept-alive socket
  // closed under it ("other side closed"): a control request is tried once more on a fresh one.
  const control = async (url: string, init?: RequestInit): Promise<Response> => {
    try {
      return await fetch(url, init);
    } catch {
      return fetch(url, init);
    }
  };
  return {
    baseUrl: `${origin}/v1`,
    async setScript(next) {
      const response = await control(`${origin}/_script`, { method: 'PUT', body: JSON.stringify(next) });
      if (!response.ok) throw new Error(`setting the script answered ${response.status}`);
    },
    async requests(kind = 'translate') {
      const all = (await (await control(`${origin}/_requests`)).json()) as RecordedRequest[];
      return kind === 'all' ? all : all.filter((request) => request.kind === kind);
    },
    async maxInFlight() {
      return ((await (await control(`${origin}/_stats`)).json()) as { maxInFlight: number }).maxInFlight;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

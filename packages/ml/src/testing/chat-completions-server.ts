import http from 'node:http';
import { LINES_MARKER } from '../translation/llm-prompt';
import { SUMMARY_MARKER } from '../translation/llm-summary';
import { DEFAULT_SUMMARY_REPLY } from './scripted-summary';

/**
 * A stand-in OpenAI-compatible server for tests, run as its own process
 * (`node --import tsx chat-completions-server.ts`) so a hang or a slow reply is real network
 * behaviour the engine's client sees. POST /v1/chat/completions answers from a script: the
 * next step in `steps`, then `fallback` (an echo by default), so tests state per request what
 * the "model" does. The engine's one summary request per transcript is told apart (it carries
 * SUMMARY_MARKER) and answered by `summary` instead, without using up a step. GET /v1/models
 * lists `models` when the script has them (else 404, as some servers do). It records every
 * request it gets, and whether the client hung up before its reply (GET /_requests), and the
 * most chat requests it had open at once (GET /_stats); PUT /_script replaces the script and
 * clears the record. It prints `LISTENING <port>` once ready.
 */

export type ScriptStep =
  /** Every line translated as `prefix + text` (prefix defaults to the script's). */
  | { kind: 'echo'; prefix?: string }
  /** The echo inside a ```json fence, as chat models like to answer. */
  | { kind: 'fenced' }
  /** The echo without the last id. */
  | { kind: 'drop' }
  /** The first two lines run together under the first id; the second id is missing. */
  | { kind: 'merge' }
  /** The echo plus an id that was never asked for. */
  | { kind: 'extra' }
  | { kind: 'invalid' }
  /** An HTTP error, e.g. 429 with Retry-After. */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Waits this long before echoing (past the client's timeout, the reply is never read). */
  | { kind: 'hang'; ms: number }
  | { kind: 'content'; content: string }
  /** Each line whose source text is a key gets that translation (a language the echo cannot fake: Hebrew, Arabic); others echo. */
  | { kind: 'dictionary'; translations: Record<string, string> };

export type ChatScript = {
  steps?: ScriptStep[];
  fallback?: ScriptStep;
  /** Prefix of echoed translations. */
  prefix?: string;
  /** A line whose source contains this is left out of every reply (a line the model never gets right). */
  poison?: string;
  /** The answer to summary requests; default: DEFAULT_SUMMARY_REPLY. */
  summary?: ScriptStep;
  /** Model ids GET /v1/models lists; absent: that route answers 404. */
  models?: string[];
};

export type RecordedRequest = {
  at: number;
  kind: 'summary' | 'translate';
  body: { model: string; messages: { role: string; content: string }[] };
  /** The client closed the connection before the reply was sent (it aborted the request). */
  closedBeforeReply?: true;
};

let script: ChatScript = process.env.CHAT_SCRIPT ? (JSON.parse(process.env.CHAT_SCRIPT) as ChatScript) : {};
let requests: RecordedRequest[] = [];
let step = 0;
// Chat requests being answered now, and the most at any one time since the last script.
let inFlight = 0;
let maxInFlight = 0;

/** The chunk's lines, found after the marker the engine writes before their JSON. */
function linesOf(body: RecordedRequest['body']): Record<string, string> {
  const user = body.messages.find((message) => message.role === 'user')?.content ?? '';
  const after = user.split(`${LINES_MARKER}\n`)[1] ?? '{}';
  return JSON.parse(after.split('\n')[0] ?? '{}') as Record<string, string>;
}

function reply(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function completion(content: string, model: string) {
  return {
    id: `chatcmpl-${requests.length}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
}

async function answer(current: ScriptStep, body: RecordedRequest['body'], res: http.ServerResponse): Promise<void> {
  const lines = linesOf(body);
  const prefix = script.prefix ?? '[es] ';
  const echo = (stepPrefix = prefix) =>
    Object.fromEntries(Object.entries(lines).filter(([, text]) => !(script.poison && text.includes(script.poison))).map(([id, text]) => [id, stepPrefix + text]));
  const ok = (content: string) => reply(res, 200, completion(content, body.model));
  switch (current.kind) {
    case 'echo':
      return ok(JSON.stringify(echo(current.prefix)));
    case 'fenced':
      return ok(`Here you go:\n\`\`\`json\n${JSON.stringify(echo(), null, 2)}\n\`\`\``);
    case 'drop': {
      const entries = Object.entries(echo());
      return ok(JSON.stringify(Object.fromEntries(entries.slice(0, -1))));
    }
    case 'merge': {
      const [first, second, ...rest] = Object.entries(echo());
      const merged = first && second ? [[first[0], `${first[1]} ${second[1]}`], ...rest] : [first, second, ...rest].filter(Boolean);
      return ok(JSON.stringify(Object.fromEntries(merged as [string, string][])));
    }
    case 'extra':
      return ok(JSON.stringify({ ...echo(), 9999: 'a line nobody asked for' }));
    case 'invalid':
      return ok('Sure! Here are the translations: 1. Hola 2. Adiós');
    case 'status':
      return reply(res, current.status, { error: { message: `scripted ${current.status}`, type: 'scripted' } }, current.retryAfter ? { 'retry-after': current.retryAfter } : {});
    case 'hang':
      await new Promise((resolve) => setTimeout(resolve, current.ms));
      if (!res.destroyed) ok(JSON.stringify(echo()));
      return;
    case 'content':
      return ok(current.content);
    case 'dictionary':
      return ok(JSON.stringify(Object.fromEntries(Object.entries(echo()).map(([id, echoed]) => [id, current.translations[lines[id]!.trim()] ?? echoed]))));
  }
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'GET' && req.url === '/_requests') return reply(res, 200, requests);
    if (req.method === 'GET' && req.url === '/_stats') return reply(res, 200, { maxInFlight, inFlight });
    if (req.method === 'PUT' && req.url === '/_script') {
      script = JSON.parse(text) as ChatScript;
      requests = [];
      step = 0;
      maxInFlight = inFlight;
      return reply(res, 200, { ok: true });
    }
    if (req.method === 'GET' && req.url === '/v1/models') {
      if (!script.models) return reply(res, 404, { error: { message: 'not found' } });
      return reply(res, 200, { object: 'list', data: script.models.map((id) => ({ id, object: 'model', owned_by: 'scripted' })) });
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      const body = JSON.parse(text) as RecordedRequest['body'];
      const kind = body.messages.some((message) => message.content.includes(SUMMARY_MARKER)) ? 'summary' : 'translate';
      const record: RecordedRequest = { at: Date.now(), kind, body };
      requests.push(record);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Until the reply is sent or the client gives up on it (a hang past its timeout).
      res.once('close', () => {
        inFlight--;
        if (!res.writableEnded) record.closedBeforeReply = true;
      });
      let current: ScriptStep;
      if (kind === 'summary') current = script.summary ?? { kind: 'content', content: DEFAULT_SUMMARY_REPLY };
      else current = script.steps?.[step++] ?? script.fallback ?? { kind: 'echo' };
      answer(current, body, res).catch((error: unknown) => reply(res, 500, { error: { message: String(error) } }));
      return;
    }
    reply(res, 404, { error: { message: 'not found' } });
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

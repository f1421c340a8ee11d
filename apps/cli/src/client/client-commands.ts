import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '@babelfish/core';
import { subtitleRuleOptions, subtitleRulesFromFlags, subtitleRuleUsage } from '../subtitle-rule-flags';
import { ApiClient, type JobSummary } from './api-client';

/**
 * `babelfish submit|status|wait|download|cancel`: the CLI as a client of a running service, for
 * scripts. Results go to stdout (a job id, file paths, or JSON with --json); progress to stderr.
 * Exit codes: 0 done, 1 error or failed job, 2 usage, 3 canceled job, 4 wait timed out.
 */

export const clientCommands = ['submit', 'status', 'wait', 'download', 'cancel'] as const;
export type ClientCommand = (typeof clientCommands)[number];

export const clientUsage = `       babelfish submit <video> --to es[,fr…] [--from en] [--engine name] [--webhook URL] [--llm-model m] [--style s]
                        ${subtitleRuleUsage}
                        [--idempotency-key K] [--wait [--out dir]] [--json]
       babelfish status <job id> [--json] | wait <job id> [--timeout seconds] [--json]
       babelfish download <job id> [--out dir] [--kind srt,vtt,ass,mp4,mkv…] [--language es]
       babelfish cancel <job id>
         (all five: --server URL (or BABELFISH_SERVER, default http://localhost:8080), --key KEY (or BABELFISH_API_KEY))`;

export type ClientIo = { out: (text: string) => void; err: (text: string) => void; env: Record<string, string | undefined> };

export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, Canceled: 3, TimedOut: 4 } as const;

const POLL_MS = 1000;
const terminal = new Set(['completed', 'failed', 'canceled']);

export function isClientCommand(command: string | undefined): command is ClientCommand {
  return (clientCommands as readonly string[]).includes(command ?? '');
}

export async function runClientCommand(argv: string[], io: ClientIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      key: { type: 'string' },
      to: { type: 'string', short: 't' },
      from: { type: 'string', short: 'f' },
      engine: { type: 'string', short: 'e' },
      webhook: { type: 'string' },
      'llm-model': { type: 'string' },
      style: { type: 'string' },
      ...subtitleRuleOptions,
      'idempotency-key': { type: 'string' },
      wait: { type: 'boolean' },
      out: { type: 'string', short: 'o' },
      kind: { type: 'string' },
      language: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [command, target] = positionals as [ClientCommand, string | undefined];
  if (!target) {
    io.err(`babelfish ${command}: give ${command === 'submit' ? 'a video file' : 'a job id'}\n${clientUsage}\n`);
    return ExitCode.Usage;
  }
  const client = new ApiClient(values.server ?? io.env.BABELFISH_SERVER ?? 'http://localhost:8080', values.key ?? io.env.BABELFISH_API_KEY);
  const print = (job: JobSummary) => io.out(values.json ? `${JSON.stringify(job)}\n` : `${describe(job)}\n`);

  switch (command) {
    case 'submit': {
      if (!values.to) {
        io.err('babelfish submit: --to is required (e.g. --to es,fr)\n');
        return ExitCode.Usage;
      }
      const job = await client.submit(target, {
        to: values.to.split(',').map((code) => code.trim()).filter(Boolean),
        from: values.from,
        engine: values.engine,
        webhookUrl: values.webhook,
        llmModel: values['llm-model'],
        style: values.style,
        subtitleRules: subtitleRulesFromFlags(values),
        idempotencyKey: values['idempotency-key'],
      });
      if (!values.wait) {
        io.out(values.json ? `${JSON.stringify(job)}\n` : `${job.id}\n`);
        return ExitCode.Ok;
      }
      io.err(`submitted ${job.id}\n`);
      const finished = await waitFor(client, job.id, io, undefined);
      if (values.json) io.out(`${JSON.stringify(finished)}\n`);
      if (finished.status !== 'completed') return reportEnd(finished, io);
      if (values.out) for (const file of await downloadAll(client, finished.id, values.out, {})) io.out(`${file}\n`);
      else if (!values.json) io.out(`${finished.id}\n`);
      return ExitCode.Ok;
    }
    case 'status':
      print(await client.job(target));
      return ExitCode.Ok;
    case 'wait': {
      const timeoutSeconds = values.timeout === undefined ? undefined : Number(values.timeout);
      if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) throw new AppError('BAD_REQUEST', '--timeout must be a positive number of seconds');
      const finished = await waitFor(client, target, io, timeoutSeconds);
      if (!terminal.has(finished.status)) {
        io.err(`babelfish wait: still ${finished.status} after ${timeoutSeconds} s\n`);
        print(finished);
        return ExitCode.TimedOut;
      }
      print(finished);
      return finished.status === 'completed' ? ExitCode.Ok : reportEnd(finished, io);
    }
    case 'download': {
      const files = await downloadAll(client, target, values.out ?? '.', { kinds: values.kind?.split(','), language: values.language });
      for (const file of files) io.out(`${file}\n`);
      return ExitCode.Ok;
    }
    case 'cancel':
      print(await client.cancel(target));
      return ExitCode.Ok;
  }
}

function describe(job: JobSummary): string {
  const languages = `${job.sourceLanguage ?? 'auto'} → ${job.targetLanguages.join(',')}`;
  const base = `${job.id}  ${job.status}  ${job.stage} ${Math.round(job.percent)}%  ${languages}${job.engine ? ` (${job.engine})` : ''}  ${job.originalName}`;
  return job.error ? `${base}\n  reason: ${job.error}` : base;
}

function reportEnd(job: JobSummary, io: ClientIo): number {
  io.err(`babelfish: job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}\n`);
  return job.status === 'canceled' ? ExitCode.Canceled : ExitCode.Failed;
}

/** Polls the job until it ends (or the timeout passes), drawing its progress on stderr. */
async function waitFor(client: ApiClient, id: string, io: ClientIo, timeoutSeconds: number | undefined): Promise<JobSummary> {
  const deadline = timeoutSeconds === undefined ? Infinity : Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const job = await client.job(id);
    const line = `${job.status} ${job.stage} ${Math.round(job.percent)}%`;
    if (line !== last) io.err(`  ${line}\n`);
    last = line;
    if (terminal.has(job.status) || Date.now() >= deadline) return job;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

async function downloadAll(client: ApiClient, id: string, outDir: string, filter: { kinds?: string[]; language?: string }): Promise<string[]> {
  const outputs = (await client.outputs(id)).filter(
    (output) => (!filter.kinds || filter.kinds.includes(output.kind)) && (!filter.language || output.language === filter.language),
  );
  if (outputs.length === 0) throw new AppError('NOT_FOUND', `Job ${id} has no outputs${filter.kinds || filter.language ? ' matching the filter' : ' (yet)'}`);
  await fs.promises.mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const output of outputs) {
    // The name is the server's, but a file name is all it may be: no directories, no traversal.
    const file = path.join(outDir, path.basename(output.name));
    await client.download(output, file);
    written.push(file);
  }
  return written;
}

/**
 * `pnpm bench`: every benchmark, one after the other, each in its own process (so one's models
 * and memory do not weigh on the next), within a 10-minute budget. Prints each benchmark's JSON
 * as it finishes, then writes them all to $TMPDIR/babelfish-bench/results.json.
 * `pnpm bench [--quick | --full] [name…]` runs a subset, or the shorter or longer variants
 * (--full: more alternated rounds and the extra comparisons; about 15 minutes here).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { benchDir } from './lib/fixtures';

// cuda-vs-cpu skips itself in about a second where onnxruntime has no CUDA provider.
const benches = ['transcribe-speed', 'transcribe-levers', 'chunk-parallel', 'memory-2h', 'vad-scan', 'translation', 'mux-overhead', 'reuse', 'api-load', 'upload-latency', 'cuda-vs-cpu'];
// Past the 10-minute budget of the list above (~5 min on 2 cores): run with --full, or by name.
const fullOnly = ['memory-transcribe', 'runtime-compiled', 'model-load'];
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const full = args.includes('--full');
const chosen = args.filter((arg) => !arg.startsWith('--'));
const started = Date.now();
const results: Record<string, unknown> = {};

for (const name of chosen.length > 0 ? chosen : full ? [...benches, ...fullOnly] : benches) {
  const benchStarted = Date.now();
  const output = await run(path.join(import.meta.dirname, `${name}.ts`), quick ? ['--quick'] : full ? ['--full'] : []);
  const seconds = Math.round((Date.now() - benchStarted) / 100) / 10;
  try {
    results[name] = { ...JSON.parse(output.slice(output.indexOf('{'))), benchSeconds: seconds };
  } catch {
    results[name] = { error: 'no JSON result', output: output.slice(-2000), benchSeconds: seconds };
  }
  console.log(`\n=== ${name} (${seconds} s)\n${JSON.stringify(results[name], null, 1)}`);
}
const file = path.join(benchDir(), 'results.json');
fs.writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), totalSeconds: Math.round((Date.now() - started) / 1000), results }, null, 1));
console.log(`\nall benchmarks: ${Math.round((Date.now() - started) / 1000)} s; results in ${file}`);

function run(script: string, extra: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=development', script, ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // onnxruntime and transformers.js warnings go to stderr; only failures are worth showing.
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      if (code !== 0) process.stderr.write(`${path.basename(script)} exited with ${code}:\n${stderr.slice(-3000)}\n`);
      resolve(stdout);
    });
  });
}

#!/usr/bin/env node
// Compiles the production runtime: every process entry point (API, worker, the worker's Whisper
// and text-model threads, the `babelfish` CLI) bundled with esbuild into plain ESM under dist/,
// so production runs `node dist/<entry>.js` with no TypeScript loader. tsx at run time cost the
// worker ~80 MB of its main thread, more again in each model thread, and made large modules far
// dearer to load (bench/README.md, "Memory and start of a transcribe worker").
//
//   node scripts/build-dist.mjs        (or `pnpm build:dist`)
//
// What is bundled: our own code, i.e. apps/* and the workspace packages, resolved as in
// development (their "development" export condition points at src/*.ts), so the workspace
// packages need no build of their own. What stays external: every npm dependency. They are
// installed in node_modules anyway (the images keep `pnpm install --prod` for the native addons:
// onnxruntime-node, better-sqlite3, sharp), Node loads them exactly as it does under tsx today,
// and several read files next to themselves at run time (bullmq its Lua scripts, transformers.js
// and onnxruntime their binaries and WASM), which a bundle would break. @aws-sdk/* is external for
// the same reasons and because storage and the queue metrics load it only when S3 or CloudWatch
// are configured: bundled, its code would be in every process's bundle.
//
// Code splitting keeps what our sources import lazily (`await import('./whisper-model')` and the
// like: the modules that pull onnxruntime and transformers.js in) in chunks of its own, loaded
// on first use: without it esbuild inlines them and hoists their static imports, so every
// process, the API included, would load onnxruntime at start (tests/e2e/no-model-code.test.ts).
// Entries and chunks share one flat folder: the worker finds its thread entries as siblings
// (thread-script.ts: new URL('./whisper-thread-entry.js', import.meta.url)) whichever of those
// files esbuild puts that code in.
import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist');

/** Output name (dist/<name>.js) → source entry. */
export const entries = {
  api: 'apps/api/src/main.ts',
  worker: 'apps/worker/src/main.ts',
  'whisper-thread-entry': 'apps/worker/src/whisper-thread-entry.ts',
  'text-model-thread-entry': 'apps/worker/src/text-model-thread-entry.ts',
  cli: 'apps/cli/src/main.ts',
};

/**
 * npm dependencies bundled all the same: pure JavaScript ESM that reads no file of its own at run
 * time and that no external dependency imports for us (no schema or query object crosses into a
 * package that would check it against a second copy). Kysely is 263 ES modules and zod 95: Node
 * keeps a module record, a compiled wrapper and a resolution for each, which cost every process
 * more than the code itself (bench/README.md, "Main thread"); in our bundle they are one module.
 */
export const bundledDependencies = ['kysely', 'zod'];
const isBundled = (specifier) => bundledDependencies.some((name) => specifier === name || specifier.startsWith(`${name}/`));

/** Bare imports that are not our workspace packages stay imports of node_modules. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@babelfish/')) return undefined; // bundled, from src
      if (isBundled(args.path)) return undefined; // bundled, from node_modules
      return { path: args.path, external: true };
    });
  },
};

export async function buildDist() {
  const started = Date.now();
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, source]) => [name, path.join(root, source)])),
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: '[name]-[hash]',
    format: 'esm',
    platform: 'node',
    // The images run Node 24; Node 20 (engines >=20.10) must run it too.
    target: 'node20.10',
    // Workspace packages export their TypeScript sources under "development".
    conditions: ['development'],
    sourcemap: true,
    sourcesContent: false,
    // Keep names readable in stack traces and logs (class names appear in error messages).
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    plugins: [externalDependencies],
    // The shebang is for dist/cli.js (`babelfish` in the images links to it); on every file so
    // that the source maps of all of them are laid out alike (a line added later would shift them).
    banner: { js: '#!/usr/bin/env node' },
  });
  await chmod(path.join(outdir, 'cli.js'), 0o755);
  // dist/ is a module tree of its own: "type": "module" here keeps `.js` ESM wherever it is copied.
  await writeFile(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  for (const [file, info] of outputs) console.log(`build-dist: ${path.relative(root, path.join(root, file))} ${(info.bytes / 1024).toFixed(0)} KiB`);
  console.log(`build-dist: done in ${Date.now() - started} ms`);
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildDist();
}

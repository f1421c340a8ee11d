import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ignore from '@balena/dockerignore';
import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { writablePaths } from '../src/constructs/app-task';
import { readRepoFile, repoPath } from './support/repo';

// What burned-in subtitles are drawn with (libass through fontconfig): see the worker test below.
const burnInFontPackages = ['fontconfig', 'fonts-noto-core', 'fonts-noto-cjk'];

// hadolint is neither in Debian bookworm nor on npm, so the rules it would enforce for these
// files are asserted here, on the parse tree of the real Dockerfile parser that dockerfile-utils
// (VS Code's Docker linter) uses, plus that linter's own diagnostics.
const images = {
  api: { file: 'docker/api.Dockerfile', entry: 'apps/api/src/main.ts', compiled: 'dist/api.js', apt: ['ffmpeg'] },
  worker: { file: 'docker/worker.Dockerfile', entry: 'apps/worker/src/main.ts', compiled: 'dist/worker.js', apt: ['ffmpeg', 'espeak-ng', 'apertium', ...burnInFontPackages] },
};
const packageManager = (JSON.parse(readRepoFile('package.json')) as { packageManager: string }).packageManager;

const args = (instruction: Instruction) => instruction.getArgumentsContent() ?? '';
// The whole instruction as written, flags included (arguments alone drop --from, --interval…).
const text = (instruction: Instruction) => instruction.getTextContent().replace(/\\\n\s*/g, ' ');
const finalStage = (dockerfile: Dockerfile) => {
  const lastFrom = dockerfile.getFROMs().at(-1)!;
  return dockerfile.getInstructions().filter((instruction) => instruction.getRange().start.line >= lastFrom.getRange().start.line);
};

describe.each(Object.entries(images))('%s image (docker/*.Dockerfile)', (name, image) => {
  const content = readRepoFile(image.file);
  const dockerfile = DockerfileParser.parse(content);
  const instructions = dockerfile.getInstructions();
  const keyword = (word: string) => instructions.filter((instruction) => instruction.getKeyword() === word);
  const final = finalStage(dockerfile);

  it('has no linter diagnostics', () => {
    expect(validate(content).map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`)).toEqual([]);
  });

  it('is multi-stage from a pinned slim base of the current Node LTS (24), never latest', () => {
    const froms = dockerfile.getFROMs();
    expect(froms.length).toBeGreaterThanOrEqual(3);
    expect(keyword('ARG').map(args)).toContain('NODE_IMAGE=node:24-bookworm-slim');
    const stages = new Set<string>();
    for (const from of froms) {
      const base = from.getImage() ?? '';
      // A FROM names either the pinned base (through the ARG) or an earlier stage.
      expect(base === '${NODE_IMAGE}' || stages.has(base)).toBe(true);
      expect(base).not.toMatch(/:latest$/);
      if (from.getBuildStage()) stages.add(from.getBuildStage()!);
    }
    expect(froms.at(-1)!.getBuildStage()).toBe('runtime');
  });

  it('runs as a fixed non-root user in the final stage', () => {
    const users = final.filter((instruction) => instruction.getKeyword() === 'USER').map(args);
    expect(users).toEqual(['babelfish:babelfish']);
    expect(content).toMatch(/useradd --system --uid 10001/);
    const lastUser = final.findIndex((instruction) => instruction.getKeyword() === 'USER');
    expect(final.slice(lastUser).filter((instruction) => instruction.getKeyword() === 'RUN')).toEqual([]);
  });

  it('installs the Apertium pairs named by APERTIUM_PAIRS (eng-spa by default) in the worker only', () => {
    const declared = final.filter((instruction) => instruction.getKeyword() === 'ARG').map(args);
    const runtimeApt = final.filter((instruction) => instruction.getKeyword() === 'RUN').map(args).find((line) => line.includes('apt-get install'))!;
    if (name === 'worker') {
      expect(declared).toContain('APERTIUM_PAIRS="eng-spa"');
      expect(runtimeApt).toMatch(/for pair in \$\{APERTIUM_PAIRS\}; do printf 'apertium-%s '/);
    } else expect(declared.some((arg) => arg.startsWith('APERTIUM_PAIRS'))).toBe(false);
  });

  it(name === 'worker' ? 'installs a font for every family the burn-in ASS names (RTL and CJK included), with its cache' : 'installs no fonts (the API never burns in)', () => {
    const runtimeApt = final.filter((instruction) => instruction.getKeyword() === 'RUN').map(args).find((line) => line.includes('apt-get install'))!;
    const installed = runtimeApt.split(/\s+/);
    if (name !== 'worker') {
      expect(installed.filter((pkg) => pkg.startsWith('fonts-'))).toEqual([]);
      return;
    }
    for (const pkg of burnInFontPackages) expect(installed).toContain(pkg);
    // The build fails if fontconfig cannot see the fonts, rather than shipping boxes.
    expect(runtimeApt).toMatch(/fc-list \| grep -q NotoSansHebrew-Regular && fc-list \| grep -q NotoSansArabic-Regular && fc-list \| grep -q NotoSansCJK-Regular/);
    // Every family packages/media/src/ass.ts writes into a Style line (per script, and the
    // default) resolves, on this Debian (the image's bookworm, fonts from scripts/setup.sh), to
    // that very family, in a file of a package this stage installs: no fontconfig substitute.
    const families = [...new Set([...readRepoFile('packages/media/src/ass.ts').matchAll(/'(Noto (?:Sans|Serif)[^']*)'/g)].map((match) => match[1]!))];
    expect(families).toEqual(expect.arrayContaining(['Noto Sans', 'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans CJK SC', 'Noto Sans CJK JP', 'Noto Sans CJK KR']));
    for (const family of families) {
      const [matched, file] = execFileSync('fc-match', ['-f', '%{family[0]}|%{file}', family], { encoding: 'utf8' }).split('|');
      const owner = execFileSync('dpkg', ['-S', file!], { encoding: 'utf8' }).split(':')[0]!;
      expect([family, matched, installed.includes(owner)]).toEqual([family, family, true]);
    }
  });

  it('needs no Dockerfile frontend from a registry (no syntax directive)', () => {
    expect(content).not.toMatch(/^#\s*syntax=/im);
  });

  it('ships a babelfish command (the compiled CLI, without pnpm) on PATH', () => {
    const runs = final.filter((instruction) => instruction.getKeyword() === 'RUN').map(args);
    expect(runs).toContain('ln -s /app/dist/cli.js /usr/local/bin/babelfish');
    // dist/cli.js is build-dist's output for the CLI's entry, made executable with a node shebang.
    const buildScript = readRepoFile('scripts/build-dist.mjs');
    expect(buildScript).toContain("cli: 'apps/cli/src/main.ts'");
    expect(buildScript).toContain("banner: { js: '#!/usr/bin/env node' }");
    expect(buildScript).toMatch(/chmod\(path\.join\(outdir, 'cli\.js'\), 0o755\)/);
  });

  it('has no ADD (COPY only, so nothing is fetched from a URL at build time)', () => {
    expect(keyword('ADD')).toEqual([]);
  });

  it('installs distro packages without recommends and drops the apt lists in the same layer', () => {
    for (const run of keyword('RUN').map(args).filter((line) => line.includes('apt-get install'))) {
      expect(run).toContain('--no-install-recommends');
      expect(run).toContain('rm -rf /var/lib/apt/lists/*');
    }
    const runtimeApt = final.filter((instruction) => instruction.getKeyword() === 'RUN').map(args).find((line) => line.includes('apt-get install'))!;
    for (const pkg of image.apt) expect(runtimeApt.split(/\s+/)).toContain(pkg);
    expect(runtimeApt).not.toMatch(/\b(g\+\+|make|python3)\b/); // build tools stay in the build stages
  });

  it('installs production dependencies only, from the frozen lockfile, with the onnxruntime script skipped', () => {
    expect(content).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
    expect(content).toContain(`npm install -g ${packageManager}`);
    expect(content).toMatch(/pnpm install --offline --frozen-lockfile --prod/);
    expect(final.filter((instruction) => instruction.getKeyword() === 'COPY').map(text)).toContain('COPY --from=prod /src /app');
  });

  it('keeps writable paths on volumes so the root filesystem can be read-only', () => {
    const volumes = JSON.parse(args(final.find((instruction) => instruction.getKeyword() === 'VOLUME')!)) as string[];
    expect(volumes).toEqual(['/app/data', '/srv/media', '/cache/models', '/tmp']);
    // ECS mounts its task volumes on exactly these paths (and copies their ownership from here).
    expect(Object.values(writablePaths)).toEqual(volumes);
  });

  it('starts plain node (no TypeScript loader) on the compiled entry point, built in a build stage', () => {
    const cmd = JSON.parse(args(keyword('CMD').at(-1)!)) as string[];
    expect(cmd).toEqual(['node', '--enable-source-maps', image.compiled]);
    // build-dist compiles the real entry to that file, in a stage with dev dependencies (esbuild).
    const name = path.basename(image.compiled, '.js');
    expect(readRepoFile('scripts/build-dist.mjs')).toContain(`${name}: '${image.entry}'`);
    expect(fs.existsSync(repoPath(image.entry))).toBe(true);
    const buildStage = dockerfile.getFROMs().find((from) => from.getBuildStage() === 'build');
    expect(buildStage).toBeDefined();
    expect(keyword('RUN').map(args).some((line) => /pnpm install --offline --frozen-lockfile --store-dir/.test(line) && line.includes('pnpm build:dist'))).toBe(true);
    expect(final.filter((instruction) => instruction.getKeyword() === 'COPY').map(text)).toContain('COPY --from=build /src/dist /app/dist');
    // Neither tsx nor esbuild is installed by `pnpm install --prod`.
    const root = JSON.parse(readRepoFile('package.json')) as { dependencies?: Record<string, string>; devDependencies: Record<string, string> };
    expect(root.dependencies?.tsx).toBeUndefined();
    expect(root.devDependencies.esbuild).toBeDefined();
  });

  it(name === 'api' ? 'health-checks GET /health' : 'declares that it has no HTTP health check', () => {
    const healthchecks = keyword('HEALTHCHECK').map(text);
    expect(healthchecks).toHaveLength(1);
    if (name === 'api') {
      expect(healthchecks[0]).toContain('/health');
      expect(healthchecks[0]).toMatch(/--interval=30s --timeout=10s/);
      expect(keyword('EXPOSE').map(args)).toEqual(['8080']);
    } else {
      expect(healthchecks[0]).toBe('HEALTHCHECK NONE');
    }
  });
});

describe('.dockerignore', () => {
  const ignored = ignore().add(readRepoFile('.dockerignore'));

  it('keeps secrets, dependencies and build output out of the build context', () => {
    for (const file of ['.env', '.env.production', 'node_modules/x/index.js', 'packages/db/node_modules/y.js', '.git/HEAD', 'apps/web/dist/index.html', 'data/babelfish.db', 'infra/cdk.out/manifest.json', 'infra/src/app.ts', 'tests/e2e/a.test.ts']) {
      expect([file, ignored.ignores(file)]).toEqual([file, true]);
    }
  });

  it('sends what the images build from', () => {
    for (const file of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'apps/api/src/main.ts', 'apps/worker/src/whisper-thread-bootstrap.mjs', 'scripts/build-dist.mjs', 'packages/core/src/index.ts', 'apps/web/index.html', 'infra/package.json', '.env.example']) {
      expect([file, ignored.ignores(file)]).toEqual([file, false]);
    }
  });
});

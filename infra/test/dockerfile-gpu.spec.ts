import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { writablePaths } from '../src/constructs/app-task';
import { readRepoFile } from './support/repo';

// The GPU worker image is parsed and linted, not built (a CUDA base is gigabytes); these are the
// properties a build would otherwise have to show.
const file = 'docker/worker-gpu.Dockerfile';
const content = readRepoFile(file);
const dockerfile = DockerfileParser.parse(content);
const args = (instruction: Instruction) => instruction.getArgumentsContent() ?? '';
const text = (instruction: Instruction) => instruction.getTextContent().replace(/\\\n\s*/g, ' ');
const stage = (name: string) => {
  const froms = dockerfile.getFROMs();
  const index = froms.findIndex((from) => from.getBuildStage() === name);
  const start = froms[index]!.getRange().start.line;
  const end = froms[index + 1]?.getRange().start.line ?? Infinity;
  return dockerfile.getInstructions().filter((instruction) => instruction.getRange().start.line >= start && instruction.getRange().start.line < end);
};
const declaredArgs = dockerfile.getInstructions().filter((instruction) => instruction.getKeyword() === 'ARG').map(args);

describe('GPU worker image (docker/worker-gpu.Dockerfile)', () => {
  it('has no linter diagnostics and no ADD', () => {
    expect(validate(content).map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`)).toEqual([]);
    expect(dockerfile.getInstructions().filter((instruction) => instruction.getKeyword() === 'ADD')).toEqual([]);
  });

  it('runs on a pinned CUDA 12 + cuDNN runtime base, with the pinned Node 20 binary', () => {
    expect(declaredArgs).toContain('CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04');
    expect(declaredArgs).toContain('NODE_IMAGE=node:20-bookworm-slim');
    const runtime = dockerfile.getFROMs().at(-1)!;
    expect([runtime.getImage(), runtime.getBuildStage()]).toEqual(['${CUDA_IMAGE}', 'runtime']);
    expect(stage('runtime').map(text)).toContain('COPY --from=node /usr/local/bin/node /usr/local/bin/node');
  });

  it("installs onnxruntime-node's CUDA provider at build time and checks it is there", () => {
    const install = stage('prod').filter((instruction) => instruction.getKeyword() === 'RUN').map(args).join('\n');
    expect(install).toMatch(/pnpm install --offline --frozen-lockfile --prod/);
    expect(install).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js');
    expect(install).toContain('test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so');
    expect(stage('runtime').map(text)).toContain('COPY --from=prod /src /app');
  });

  it('is a transcribe worker that tries CUDA, as the fixed non-root user, with the usual volumes and entry point', () => {
    const runtime = stage('runtime');
    const env = runtime.filter((instruction) => instruction.getKeyword() === 'ENV').map(text).join(' ');
    expect(env).toMatch(/WORKER_ROLES=transcribe/);
    expect(env).toMatch(/INFERENCE_DEVICE=auto/);
    expect(env).toMatch(/NVIDIA_DRIVER_CAPABILITIES=compute,utility/);
    expect(runtime.filter((instruction) => instruction.getKeyword() === 'USER').map(args)).toEqual(['babelfish:babelfish']);
    expect(content).toMatch(/useradd --system --uid 10001/);
    const apt = runtime.filter((instruction) => instruction.getKeyword() === 'RUN').map(args).find((line) => line.includes('apt-get install'))!;
    expect(apt).toContain('--no-install-recommends');
    expect(apt).toContain('rm -rf /var/lib/apt/lists/*');
    expect(apt.split(/\s+/)).toContain('ffmpeg');
    expect(apt.split(/\s+/)).toContain('espeak-ng'); // the dubbing voice, as in the CPU image
    // The CPU worker's burn-in fonts, cache and build-time check (dockerfiles.spec.ts proves they cover ass.ts).
    const fontPackages = ['fontconfig', 'fonts-noto-core', 'fonts-noto-cjk'];
    for (const pkg of fontPackages) expect(apt.split(/\s+/)).toContain(pkg);
    const fontCheck = /fc-list \| grep -q NotoSansHebrew-Regular && fc-list \| grep -q NotoSansArabic-Regular && fc-list \| grep -q NotoSansCJK-Regular/;
    expect(apt).toMatch(fontCheck);
    expect(readRepoFile('docker/worker.Dockerfile')).toMatch(fontCheck);
    const volumes = JSON.parse(args(runtime.find((instruction) => instruction.getKeyword() === 'VOLUME')!)) as string[];
    expect(volumes).toEqual(Object.values(writablePaths));
    const cmd = JSON.parse(args(runtime.find((instruction) => instruction.getKeyword() === 'CMD')!)) as string[];
    expect(cmd).toEqual(JSON.parse(args(DockerfileParser.parse(readRepoFile('docker/worker.Dockerfile')).getInstructions().filter((instruction) => instruction.getKeyword() === 'CMD').at(-1)!)));
  });
});

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { readRepoFile, readYaml, repoPath } from './support/repo';

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; name?: string };
type Job = {
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  steps?: Step[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown> };
};
type Workflow = { on: Record<string, any>; permissions?: Record<string, string>; jobs: Record<string, Job> };

const dir = '.github/workflows';
const files = fs.readdirSync(repoPath(dir)).filter((name) => name.endsWith('.yml')).sort();
const workflows = Object.fromEntries(files.map((name) => [name, readYaml<Workflow>(`${dir}/${name}`)]));
const ci = workflows['ci.yml']!;
const deploy = workflows['deploy.yml']!;
const deployEnvironment = workflows['deploy-environment.yml']!;
const needsOf = (job: Job) => [job.needs ?? []].flat();
const runs = (job: Job) => (job.steps ?? []).map((step) => step.run ?? '').join('\n');
const uses = (job: Job) => (job.steps ?? []).map((step) => step.uses ?? '');

describe('.github/workflows', () => {
  it('has ci, deploy and the reusable per-environment deploy', () => {
    expect(files).toEqual(['ci.yml', 'deploy-environment.yml', 'deploy.yml']);
  });

  it("passes GitHub's own workflow parser (@actions/workflow-parser) with no errors", () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', repoPath('infra/test/support/check-workflows.mjs'), ...files.map((name) => repoPath(`${dir}/${name}`))], {
      cwd: repoPath('.'),
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual(Object.fromEntries(files.map((name) => [name, []])));
  });

  it('only needs jobs that exist, and pins every action to a release', () => {
    for (const [name, workflow] of Object.entries(workflows)) {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        for (const need of needsOf(job)) expect([name, id, need, need in workflow.jobs]).toEqual([name, id, need, true]);
        for (const action of [...uses(job), job.uses ?? ''].filter(Boolean)) {
          expect(action).toMatch(/^(\.\/\.github\/workflows\/[\w-]+\.yml|[\w-]+\/[\w./-]+@(v\d+(\.\d+)*|\d+\.\d+\.\d+|[0-9a-f]{40}))$/);
        }
      }
    }
  });

  it('ci: tests through .ci/run, synthesizes the CDK app, lints Dockerfiles and compose, builds and scans both images', () => {
    expect(ci.on).toMatchObject({ push: { branches: ['main'] } });
    expect(ci.on).toHaveProperty('pull_request');
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(runs(ci.jobs.test!)).toContain('bash .ci/run');
    expect(runs(ci.jobs.synth!)).toContain('pnpm typecheck');
    expect(runs(ci.jobs.synth!)).toContain('pnpm --filter @babelfish/infra synth');
    expect(uses(ci.jobs['docker-lint']!).filter((action) => action.startsWith('hadolint/'))).toHaveLength(2);
    expect(runs(ci.jobs['docker-lint']!)).toContain('docker compose -f docker/compose.yaml --profile nginx config');
    const images = ci.jobs.images!;
    expect(needsOf(images)).toEqual(['test', 'docker-lint']);
    expect(images.strategy!.matrix.image).toEqual(['api', 'worker']);
    expect(uses(images)).toEqual(expect.arrayContaining([expect.stringMatching(/^docker\/setup-buildx-action@/), expect.stringMatching(/^docker\/build-push-action@/), expect.stringMatching(/^aquasecurity\/trivy-action@/)]));
    const build = images.steps!.find((step) => step.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({ file: 'docker/${{ matrix.image }}.Dockerfile', push: false });
    for (const image of ['api', 'worker']) expect(fs.existsSync(repoPath(`docker/${image}.Dockerfile`))).toBe(true);
  });

  it('deploy: OIDC (id-token: write), images pushed to ECR once, then dev → staging → prod', () => {
    for (const workflow of [deploy, deployEnvironment]) expect(workflow.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(needsOf(deploy.jobs.images!)).toEqual(['registry']);
    expect(uses(deploy.jobs.images!)).toEqual(expect.arrayContaining([expect.stringMatching(/^aws-actions\/amazon-ecr-login@/), expect.stringMatching(/^aquasecurity\/trivy-action@/)]));
    expect(runs(deploy.jobs.images!)).toContain('docker push');
    expect(needsOf(deploy.jobs.dev!)).toEqual(['images']);
    expect(needsOf(deploy.jobs.staging!)).toEqual(['images', 'dev']);
    expect(needsOf(deploy.jobs.prod!)).toEqual(['images', 'staging']);
    for (const environment of ['dev', 'staging', 'prod']) {
      expect(deploy.jobs[environment]).toMatchObject({ uses: './.github/workflows/deploy-environment.yml', with: { environment } });
    }
    for (const job of Object.values(deploy.jobs).filter((job) => job.steps)) {
      const credentials = job.steps!.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'));
      expect(credentials?.with).toMatchObject({ 'role-to-assume': '${{ vars.AWS_ROLE_ARN }}' });
      expect(JSON.stringify(credentials?.with)).not.toMatch(/aws-access-key-id|secret/i);
    }
  });

  it('deploy-environment: a GitHub environment per stage, cdk deploy of that stack, rollout verified', () => {
    expect(Object.keys(deployEnvironment.on)).toEqual(['workflow_call']);
    const job = deployEnvironment.jobs.deploy!;
    expect(job.environment).toEqual({ name: '${{ inputs.environment }}', url: '${{ vars.PUBLIC_URL }}' });
    const script = runs(job);
    expect(script).toContain('cdk deploy "Babelfish-${{ inputs.environment }}" -c env=${{ inputs.environment }} -c imageTag=${{ inputs.image-tag }}');
    expect(script).toContain('aws ecs wait services-stable');
    expect(script).toContain('COMPLETED');
    // The stack names and service names the workflow relies on are the ones the CDK app makes.
    expect(readRepoFile('infra/bin/babelfish.ts')).toContain('`Babelfish-${name}`');
    expect(readRepoFile('infra/src/constructs/worker-service.ts')).toContain('serviceName: `babelfish-${settings.name}-${role}`');
    expect(readRepoFile('infra/src/constructs/api-service.ts')).toContain('serviceName: `babelfish-${settings.name}-api`');
  });
});

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environmentNames, environments, workerRoles, type TaskSize } from '../src/environments';
import { repoPath } from './support/repo';
import { resources, synthEnvironment } from './support/stacks';

// Fargate accepts only these memory sizes per CPU size (MiB).
function fargateAccepts({ cpu, memoryMiB, ephemeralStorageGiB }: TaskSize): boolean {
  const gib = memoryMiB / 1024;
  const ranges: Record<number, (g: number) => boolean> = {
    256: (g) => [0.5, 1, 2].includes(g),
    512: (g) => g >= 1 && g <= 4 && Number.isInteger(g),
    1024: (g) => g >= 2 && g <= 8 && Number.isInteger(g),
    2048: (g) => g >= 4 && g <= 16 && Number.isInteger(g),
    4096: (g) => g >= 8 && g <= 30 && Number.isInteger(g),
  };
  return (ranges[cpu]?.(gib) ?? false) && ephemeralStorageGiB >= 21 && ephemeralStorageGiB <= 200;
}

describe('per-environment settings', () => {
  it('defines dev, staging and prod, each with every worker role and sizes Fargate accepts', () => {
    expect(Object.keys(environments)).toEqual([...environmentNames]);
    for (const settings of Object.values(environments)) {
      expect(Object.keys(settings.workers)).toEqual([...workerRoles]);
      for (const size of [settings.api, ...Object.values(settings.workers)]) expect([settings.name, size, fargateAccepts(size)]).toEqual([settings.name, size, true]);
      for (const worker of Object.values(settings.workers)) expect(worker.onDemandBase).toBeLessThanOrEqual(worker.minCapacity);
    }
  });

  it('makes only prod highly available and scheduled', () => {
    expect(environments.prod).toMatchObject({ natGateways: 2, database: { multiAz: true }, retainData: true });
    expect(environments.prod.redis.replicas).toBeGreaterThan(0);
    expect(environments.prod.businessHours).toBeDefined();
    expect(environments.dev).toMatchObject({ natGateways: 1, database: { multiAz: false }, redis: { replicas: 0 }, retainData: false });
    expect(environments.dev.businessHours).toBeUndefined();
  });
});

describe('dev stack', () => {
  const template = synthEnvironment('dev');

  it('is small and disposable: one NAT, single-node Redis, single-AZ database, no schedule', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { NumCacheClusters: 1, AutomaticFailoverEnabled: false, TransitEncryptionEnabled: true, AtRestEncryptionEnabled: true });
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, StorageEncrypted: true, DeletionProtection: false });
    for (const [, target] of resources(template, 'AWS::ApplicationAutoScaling::ScalableTarget')) expect(target.Properties.ScheduledActions).toBeUndefined();
    for (const [, group] of resources(template, 'AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(14);
    for (const [, service] of resources(template, 'AWS::ECS::Service')) {
      expect(service.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    }
  });
});

describe('pnpm --filter @babelfish/infra synth (what CI runs)', () => {
  it('synthesizes every stack offline with the local CDK CLI and fake account/region', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-cdk-out-'));
    try {
      // No AWS credentials and an unreachable metadata endpoint: any AWS call would fail here.
      const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true' };
      execFileSync('pnpm', ['--silent', '--filter', '@babelfish/infra', 'synth', '--output', out], { cwd: repoPath('.'), env, stdio: 'pipe', timeout: 120_000 });
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { missing?: unknown[]; artifacts: Record<string, unknown> };
      expect(manifest.missing).toBeUndefined(); // no context lookups were needed
      expect(Object.keys(manifest.artifacts)).toEqual(expect.arrayContaining(['BabelfishRegistry', 'Babelfish-dev', 'Babelfish-staging', 'Babelfish-prod']));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

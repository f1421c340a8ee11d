import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { BabelfishStack } from '../src/babelfish-stack';
import { environments } from '../src/environments';
import { configKeys } from './support/config-keys';
import { repoPath } from './support/repo';
import { certificateArn, containers, resources, statementsOfRoles, synthEnvironment } from './support/stacks';

const llm = { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' };
const withLlm = synthEnvironment('prod', { llm });
const withoutLlm = synthEnvironment('prod');
const byContainer = containers(withLlm);

type NameValue = { Name: string; Value?: unknown; ValueFrom?: unknown };
const entries = (list: NameValue[] | undefined) => Object.fromEntries((list ?? []).map((e) => [e.Name, JSON.stringify(e.Value ?? e.ValueFrom)]));

describe('llm engine server (llm prop / -c llmBaseUrl= -c llmModel=)', () => {
  it('gives the translate workers LLM_BASE_URL and LLM_MODEL as config and LLM_API_KEY from Secrets Manager', () => {
    const translate = byContainer.translate!;
    const environment = entries(translate.Environment);
    expect(environment.LLM_BASE_URL).toBe('"https://api.openai.com/v1"');
    expect(environment.LLM_MODEL).toBe('"gpt-4o-mini"');
    const secrets = entries(translate.Secrets);
    expect(secrets.LLM_API_KEY).toContain(':secret:/babelfish/llm-api-key');
    // The shared secrets are still there beside it.
    expect(secrets.HF_TOKEN).toContain(':secret:/babelfish/huggingface-token');
    expect(secrets.PGPASSWORD).toContain(':password::');
    // Every name is one packages/config reads (HF_TOKEN and PGPASSWORD are read by their libraries).
    const known = new Set(configKeys());
    expect(Object.keys(environment).filter((key) => !known.has(key))).toEqual([]);
    expect(known.has('LLM_API_KEY')).toBe(true);
  });

  it('never passes the key as a plain environment value, in any container', () => {
    for (const [name, container] of Object.entries(byContainer)) {
      expect([name, Object.keys(entries(container.Environment)).filter((key) => /API_KEY/.test(key))]).toEqual([name, []]);
    }
  });

  it('gives no other service the LLM settings (the API reads the engines the workers publish)', () => {
    for (const [name, container] of Object.entries(byContainer)) {
      if (name === 'translate') continue;
      const names = [...(container.Environment ?? []), ...(container.Secrets ?? [])].map((e: NameValue) => e.Name);
      expect([name, names.filter((key) => key.startsWith('LLM_'))]).toEqual([name, []]);
    }
  });

  it("lets only the translate task's execution role read the key's secret", () => {
    const readers = resources(withLlm, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('/babelfish/llm-api-key-??????'))
      .flatMap(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref));
    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatch(/^TranslateWorker.*ExecutionRole/);
    const granted = statementsOfRoles(withLlm, readers[0]!).filter((statement) => JSON.stringify(statement.Resource).includes('llm-api-key'));
    expect(granted.map((statement) => statement.Action)).toEqual([['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']]);
  });

  it('changes nothing but the translate task definition and its execution policy', () => {
    for (const type of ['AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::IAM::Policy', 'AWS::IAM::Role']) {
      const before = withoutLlm.findResources(type);
      const after = withLlm.findResources(type);
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      const changed = Object.keys(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
      expect(changed.every((id) => id.startsWith('TranslateWorker'))).toBe(true);
    }
  });

  it('reads the key from another secret when one is named, and refuses a base URL that is not a URL', () => {
    const named = containers(synthEnvironment('dev', { llm: { ...llm, apiKeySecretName: '/acme/openai-key' } }));
    expect(entries(named.translate!.Secrets).LLM_API_KEY).toContain(':secret:/acme/openai-key');
    const stack = () =>
      new BabelfishStack(new App(), 'Bad', {
        env: { account: '123456789012', region: 'eu-west-1' },
        settings: environments.dev,
        imageTag: 'abc1234',
        certificateArn,
        llm: { baseUrl: 'api.openai.com', model: 'gpt-4o-mini' },
      });
    expect(stack).toThrow(/llm.baseUrl is not a URL/);
  });

  it('is wired from cdk context by the CDK app (offline synth, as CI and deploy run it)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-cdk-llm-'));
    try {
      const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true' };
      const args = ['--silent', '--filter', '@babelfish/infra', 'synth', '--output', out, '-c', 'env=dev', '-c', 'llmBaseUrl=http://ollama.internal:11434/v1', '-c', 'llmModel=qwen2.5:7b'];
      execFileSync('pnpm', args, { cwd: repoPath('.'), env, stdio: 'pipe', timeout: 120_000 });
      const template = JSON.parse(fs.readFileSync(path.join(out, 'Babelfish-dev.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: any }> };
      const translate = Object.values(template.Resources)
        .filter((resource) => resource.Type === 'AWS::ECS::TaskDefinition')
        .flatMap((resource) => resource.Properties.ContainerDefinitions as { Name: string; Environment: NameValue[]; Secrets: NameValue[] }[])
        .find((container) => container.Name === 'translate')!;
      expect(entries(translate.Environment)).toMatchObject({ LLM_BASE_URL: '"http://ollama.internal:11434/v1"', LLM_MODEL: '"qwen2.5:7b"' });
      expect(entries(translate.Secrets).LLM_API_KEY).toContain(':secret:/babelfish/llm-api-key');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

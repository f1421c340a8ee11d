import { configKeys } from './support/config-keys';
import { readRepoFile } from './support/repo';

const example = readRepoFile('.env.example');
// `KEY=value` or `# KEY=value`: a documented setting, set or shown with its default.
const documented = new Map([...example.matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1]!, match[2]!]));

describe('.env.example', () => {
  it('documents every setting packages/config reads', () => {
    const keys = configKeys();
    expect(keys.length).toBeGreaterThanOrEqual(36);
    expect(keys).toEqual(expect.arrayContaining(['STORAGE_DRIVER', 'S3_BUCKET', 'CORS_ORIGINS', 'WORKER_ROLES']));
    expect(keys.filter((key) => !documented.has(key))).toEqual([]);
  });

  it('explains each setting in a comment just above it', () => {
    const lines = example.split('\n');
    for (const key of configKeys()) {
      const at = lines.findIndex((line) => new RegExp(`^(# )?${key}=`).test(line));
      // The block of settings a comment introduces may list several keys under one explanation.
      const above = lines.slice(0, at).reverse().find((line) => !/^(# )?[A-Z][A-Z0-9_]*=/.test(line));
      expect([key, above?.startsWith('# ')]).toEqual([key, true]);
    }
  });

  it('documents every variable docker/compose.yaml interpolates', () => {
    const compose = readRepoFile('docker/compose.yaml');
    const variables = new Set([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!));
    expect([...variables].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('holds no secret values', () => {
    for (const key of ['POSTGRES_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'HF_TOKEN']) expect([key, documented.get(key)]).toEqual([key, '']);
  });
});

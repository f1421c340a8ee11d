import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { DCLinter } from 'dclint';
import { configKeys } from './support/config-keys';
import { readYaml, repoPath } from './support/repo';

type Service = Record<string, any>;
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

const composeFile = 'docker/compose.yaml';
const compose = readYaml<Compose>(composeFile);
const services = compose.services;
const appServices = ['api', 'worker-transcribe', 'worker-translate', 'worker-mux', 'worker-transcribe-gpu'];
const profiled: Record<string, string[]> = { nginx: ['nginx'], 'worker-transcribe-gpu': ['gpu'] };
const workerRoles = { 'worker-transcribe': 'transcribe', 'worker-translate': 'translate', 'worker-mux': 'mux' } as const;

describe('docker/compose.yaml', () => {
  it('is valid against the Compose Specification JSON schema', () => {
    // dclint ships the current compose-spec schema; validate with ajv directly as well as through dclint.
    const schemaFile = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas/compose.schema.json');
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
    // Its $schema names draft-07 by an https URL that ajv does not alias; the draft is the same.
    delete schema.$schema;
    const validate = ajv.compile(schema);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('passes dclint (style-order rules off: the file is grouped for reading, not sorted)', () => {
    const linter = new DCLinter({
      rules: {
        'no-build-and-image': 0, // image names the tag that `build` produces, so prebuilt images can be pulled instead
        'service-keys-order': 0,
        'services-alphabetical-order': 0,
        'top-level-properties-order': 0,
        'require-quotes-in-ports': [2, { quoteType: 'double' }],
      },
      quiet: false,
      debug: false,
      exclude: [],
    });
    const [result] = linter.lintFiles([repoPath(composeFile)], false);
    expect(result?.messages).toEqual([]);
  });

  it('runs the API and one service per worker role, with Redis and PostgreSQL; nginx only in its profile', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'nginx', 'postgres', 'redis', 'worker-mux', 'worker-transcribe', 'worker-transcribe-gpu', 'worker-translate']);
    for (const name of Object.keys(services)) expect([name, services[name]!.profiles]).toEqual([name, profiled[name]]);
    for (const [service, role] of Object.entries(workerRoles)) {
      expect(services[service]!.environment.WORKER_ROLES).toBe(role);
      expect(services[service]!.deploy.replicas).toBe(`\${${role.toUpperCase()}_REPLICAS:-1}`);
      expect(services[service]!.build.dockerfile).toBe('docker/worker.Dockerfile');
      expect(services[service]!.stop_grace_period).toMatch(/^\d+m$/);
    }
    expect(services.api!.build.dockerfile).toBe('docker/api.Dockerfile');
    for (const service of appServices) expect(fs.existsSync(repoPath(services[service]!.build.dockerfile))).toBe(true);
  });

  it('reserves one NVIDIA GPU for the transcribe role in the gpu profile, on the CUDA image, CUDA required', () => {
    const gpu = services['worker-transcribe-gpu']!;
    expect(gpu.build.dockerfile).toBe('docker/worker-gpu.Dockerfile');
    expect(gpu.image).toBe('${IMAGE_REGISTRY:-babelfish}/worker-gpu:${IMAGE_TAG:-local}');
    expect(gpu.environment).toMatchObject({ WORKER_ROLES: 'transcribe', INFERENCE_DEVICE_TRANSCRIBE: 'cuda' });
    expect(gpu.deploy.resources.reservations.devices).toEqual([{ driver: 'nvidia', count: 1, capabilities: ['gpu'] }]);
    expect(gpu.deploy.replicas).toBe('${GPU_TRANSCRIBE_REPLICAS:-1}');
    expect(gpu.stop_grace_period).toBe(services['worker-transcribe']!.stop_grace_period);
    // The CPU services reserve no GPU.
    for (const name of Object.keys(workerRoles)) expect(services[name]!.deploy.resources.reservations).toBeUndefined();
  });

  it('hardens every container: read-only root, no new privileges; app containers non-root with no capabilities', () => {
    for (const [name, service] of Object.entries(services)) {
      expect([name, service.read_only]).toEqual([name, true]);
      expect([name, service.security_opt]).toEqual([name, ['no-new-privileges:true']]);
    }
    for (const name of appServices) {
      expect(services[name]).toMatchObject({ user: '10001:10001', cap_drop: ['ALL'], init: true });
    }
  });

  it('health-checks the API, Redis and PostgreSQL, and starts apps only once their stores are healthy', () => {
    expect(services.api!.healthcheck.test.join(' ')).toContain('http://127.0.0.1:8080/health');
    expect(services.redis!.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(services.postgres!.healthcheck.test[1]).toContain('pg_isready');
    for (const name of appServices) {
      expect(services[name]!.depends_on).toEqual({ redis: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
    }
    expect(services.nginx!.depends_on).toEqual({ api: { condition: 'service_healthy' } });
  });

  it('keeps every BullMQ key: Redis with AOF on and noeviction', () => {
    const command = services.redis!.command.join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--appendfsync everysec');
    expect(command).toContain('--maxmemory-policy noeviction');
  });

  it('gives data, media (outputs), model cache, scratch and logs their own volumes', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['data', 'logs', 'media', 'model-cache', 'postgres-data', 'redis-data']);
    for (const name of appServices) {
      const volumes = services[name]!.volumes as (string | { type: string; target: string })[];
      const targets = volumes.map((volume) => (typeof volume === 'string' ? /:(\/[^:]*)(?::ro|:rw)?$/.exec(volume)?.[1] : volume.target));
      expect(targets).toEqual(['/app/data', '/srv/media', '/cache/models', '/models', '/tmp']);
      expect(volumes).toContain('media:/srv/media');
      expect(services[name]!.environment).toMatchObject({ DATA_DIR: '/app/data', STORAGE_DIR: '/srv/media', MODEL_CACHE_DIR: '/cache/models', MODELS_DIR: '/models' });
    }
    expect(services.nginx!.volumes).toContain('logs:/var/log/nginx');
    expect(services.nginx!.volumes).toContain('./nginx/babelfish.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(fs.existsSync(repoPath('docker/nginx/babelfish.conf'))).toBe(true);
  });

  it('publishes the API on loopback only; nginx takes 80 and 443', () => {
    expect(services.api!.ports).toEqual(['127.0.0.1:${API_PORT:-8080}:8080']);
    expect(services.nginx!.ports).toEqual(['0.0.0.0:${HTTP_PORT:-80}:80', '0.0.0.0:${HTTPS_PORT:-443}:443']);
  });

  it('sets only settings that packages/config knows', () => {
    const known = new Set(configKeys());
    for (const name of appServices) {
      const unknown = Object.keys(services[name]!.environment).filter((key) => !known.has(key));
      expect([name, unknown]).toEqual([name, []]);
    }
  });

  it('works with Compose v2 before 2.24 and podman-compose: env_file in its short form', () => {
    for (const name of appServices) expect([name, services[name]!.env_file]).toEqual([name, '${ENV_FILE:-../.env}']);
  });

  it('limits CPUs through variables whose defaults fit any host (Docker refuses more than it has)', () => {
    const cpus = Object.fromEntries(appServices.map((name) => [name, services[name]!.deploy.resources.limits.cpus]));
    expect(cpus).toEqual({ api: '${API_CPUS:-1}', 'worker-transcribe': '${TRANSCRIBE_CPUS:-1}', 'worker-transcribe-gpu': '${TRANSCRIBE_GPU_CPUS:-1}', 'worker-translate': '${TRANSLATE_CPUS:-1}', 'worker-mux': '${MUX_CPUS:-1}' });
  });

  it('pins every third-party image to a version, never latest', () => {
    for (const [name, service] of Object.entries(services)) {
      expect([name, service.image]).toEqual([name, expect.stringMatching(/:[^:]+$/)]);
      expect(service.image).not.toMatch(/:latest$/);
    }
  });
});

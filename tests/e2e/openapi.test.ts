import express from 'express';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '@babelfish/logger';
import { jobBodySchema } from '@babelfish/contract';
import { responseContract } from '../../apps/api/src/openapi/response-contract';
import { routeSpecs } from '../../apps/api/src/openapi/route-specs';
import { toOpenApiPath } from '../../apps/api/src/openapi/document';
import { repoRoot } from '../support/paths';
import { startStack, type Stack } from '../support/stack';
import request from 'supertest';

/**
 * The OpenAPI document: a valid 3.1 document, generated from the route table that matches the
 * routes Express really serves. The response check itself (on in every e2e suite, through
 * NODE_ENV=test) is proven here on a route that answers the wrong shape.
 */

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; name?: string; rawPath?: string; handle?: { stack?: Layer[] } };

/** Every `METHOD path` an Express app serves (routes and one level of routers). */
function servedRoutes(app: express.Express): Set<string> {
  const served = new Set<string>();
  const walk = (layers: Layer[], prefix: string) => {
    for (const layer of layers) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const routePath of paths) for (const method of Object.keys(layer.route.methods)) served.add(`${method} ${`${prefix}${routePath}`.replace(/(.)\/$/, '$1')}`);
      } else if (layer.name === 'router' && layer.handle?.stack) {
        walk(layer.handle.stack, layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return served;
}

describe('OpenAPI document and response contract', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite', worker: false });
  });
  afterAll(() => stack?.stop());

  it('serves a valid OpenAPI 3.1 document listing every route Express serves, and nothing else', async () => {
    const response = await request(stack.api.url).get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    const document = response.body as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(document.openapi).toBe('3.1.0');
    const result = JSON.parse(execFileSync(process.execPath, [path.join(repoRoot, 'tests/support/validate-openapi.mjs')], { input: JSON.stringify(document), cwd: repoRoot }).toString()) as { valid: boolean; version: string; errors: unknown[] };
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({ valid: true, version: '3.1' });

    const documented = new Set(Object.entries(document.paths).flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method} ${route}`)));
    // The route table is what the document is made from; compare it with the served routes.
    const served = new Set([...servedRoutes(stack.api.app)].filter((entry) => !entry.endsWith(' /')).map((entry) => { const [method, route] = entry.split(' '); return `${method} ${toOpenApiPath(route!)}`; }));
    expect([...served].filter((entry) => !documented.has(entry))).toEqual([]);
    // The keyless whisper-asr paths are served only with AUTH_MODE=none (this stack has keys).
    const keyless = (entry: string) => entry.includes(' /compat/whisper-asr/') && !entry.includes('{key}');
    expect([...documented].filter((entry) => !served.has(entry) && !keyless(entry))).toEqual([]);
    expect(document.components.schemas).toHaveProperty('Job');
    expect(document.components.schemas).toHaveProperty('Error');
    // The submission's request schema is the one the route validates with.
    const submit = document.paths['/v1/jobs']!.post as { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } };
    expect(submit.requestBody.content['multipart/form-data']!.schema.required).toEqual(expect.arrayContaining(['to', 'file']));
    expect(Object.keys(submit.requestBody.content['multipart/form-data']!.schema.properties)).toEqual(expect.arrayContaining(['to', 'from', 'engine', 'glossary', 'webhookUrl']));
  });

  it('serves a readable docs page without inline scripts', async () => {
    const page = await request(stack.api.url).get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="/docs/docs.js"></script>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const script = await request(stack.api.url).get('/docs/docs.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain("fetch('/openapi.json')");
  });

  it('turns an undeclared status or a body of the wrong shape into a 500 that names the problem', async () => {
    const app = express();
    app.use(responseContract(routeSpecs, createLogger('test', 'error')));
    const router = express.Router();
    router.get('/jobs/:id', (_req, res) => {
      res.json({ job: { id: 'not-a-uuid', status: 'finished' } });
    });
    router.get('/jobs', (_req, res) => {
      res.status(201).json({ jobs: [] });
    });
    router.get('/session', (_req, res) => {
      res.json({ ownerId: 'me', authMode: 'api-key' });
    });
    app.use('/v1', router);
    app.get('/unlisted', (_req, res) => {
      res.json({});
    });
    const wrongShape = await request(app).get('/v1/jobs/x');
    expect(wrongShape.status).toBe(500);
    expect(wrongShape.body.error.message).toMatch(/Response contract violation: get \/v1\/jobs\/:id 200 body: job\.id/);
    const undeclared = await request(app).get('/v1/jobs');
    expect(undeclared.status).toBe(500);
    expect(undeclared.body.error.message).toMatch(/answered 201, which it does not declare/);
    expect((await request(app).get('/unlisted')).body.error.message).toMatch(/not in the route table/);
    expect((await request(app).get('/v1/session')).status).toBe(200);
    // A real job body passes the same schema.
    const job = (await stack.http().get('/v1/jobs')).body;
    expect(job.jobs).toEqual([]);
    expect(jobBodySchema.safeParse({ job: {} }).success).toBe(false);
  });

  it('checks bodies that are not JSON by their status and Content-Type', async () => {
    const app = express();
    app.use(responseContract(routeSpecs, createLogger('test', 'error')));
    const router = express.Router();
    // A subtitle file sent as HTML, a thumbnail as a declared JPEG, a video range as a wildcard match.
    router.get('/jobs/:id/subtitles/:file', (_req, res) => {
      res.type('html').send('<p>not a track</p>');
    });
    router.get('/jobs/:id/thumbnail', (_req, res) => {
      res.setHeader('Content-Type', 'image/jpeg');
      res.end(Buffer.from([0xff, 0xd8, 0xff]));
    });
    router.get('/jobs/:id/video', (_req, res) => {
      res.writeHead(206, { 'Content-Type': 'video/x-matroska' });
      res.end('part');
    });
    router.get('/jobs/:id/outputs/:outputId/download', (_req, res) => {
      res.status(203).type('text/vtt').send('WEBVTT');
    });
    app.use('/v1', router);
    app.get('/metrics', (_req, res) => {
      res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
      res.end('up 1');
    });

    const wrongType = await request(app).get('/v1/jobs/x/subtitles/es.vtt');
    expect(wrongType.status).toBe(500);
    expect(wrongType.headers['x-contract-violation']).toMatch(/answered 200 with text\/html where it declares text\/vtt/);
    const undeclared = await request(app).get('/v1/jobs/x/outputs/y/download');
    expect(undeclared.status).toBe(500);
    expect(undeclared.headers['x-contract-violation']).toMatch(/answered 203, which it does not declare/);
    expect((await request(app).get('/v1/jobs/x/thumbnail')).status).toBe(200);
    expect((await request(app).get('/v1/jobs/x/video')).status).toBe(206);
    expect((await request(app).get('/metrics')).status).toBe(200);
  });
});

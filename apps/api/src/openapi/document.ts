import { z } from 'zod';
import { errorBodySchema } from '@babelfish/contract';
import type { RouteSpec } from './route-specs';

/**
 * Builds the OpenAPI 3.1 document from the route table. OpenAPI 3.1 schemas are JSON Schema
 * 2020-12, which zod emits directly; named schemas (`.meta({ id })`) become components.
 */

type JsonSchema = Record<string, unknown>;

export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z]+)/g, '{$1}');
}

export function buildOpenApiDocument(specs: readonly RouteSpec[], info: { version: string }): Record<string, unknown> {
  const components: Record<string, JsonSchema> = {};

  const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io }) as JsonSchema;
    const { $schema: _schema, $defs, ...body } = generated as JsonSchema & { $defs?: Record<string, JsonSchema> };
    for (const [name, definition] of Object.entries($defs ?? {})) components[name] = relink(definition) as JsonSchema;
    return relink(body) as JsonSchema;
  };

  const errorRef = { $ref: '#/components/schemas/Error' };
  components.Error = schemaOf(errorBodySchema, 'output');

  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const pathParameters = [...spec.path.matchAll(/:([A-Za-z]+)/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParameters = spec.query
      ? Object.entries(spec.query.shape).map(([name, field]) => ({ name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, schema: schemaOf(field as z.ZodType, 'input') }))
      : [];
    const content: Record<string, unknown> = {};
    if (spec.request?.multipart) content['multipart/form-data'] = { schema: schemaOf(spec.request.multipart, 'input') };
    if (spec.request?.json) content['application/json'] = { schema: schemaOf(spec.request.json, 'input') };
    if (spec.request?.media) content[spec.request.media] = { schema: { type: 'string', format: 'binary' } };

    const responses: Record<string, unknown> = {};
    const errorSchema = spec.errorSchema ? schemaOf(spec.errorSchema, 'output') : errorRef;
    const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });
    for (const [status, response] of Object.entries(spec.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.json ? { content: { 'application/json': { schema: schemaOf(response.json, 'output') } } } : {}),
        ...(response.media ? { content: Object.fromEntries([response.media].flat().map((media) => [media, { schema: { type: 'string', format: 'binary' } }])) } : {}),
      };
    }
    // Errors any route can answer, in the one error shape.
    if (spec.request) responses['400'] ??= errorResponse('Invalid request (the message names each bad field)');
    if (spec.auth !== false) responses['401'] ??= errorResponse('No valid API key or session');
    if (pathParameters.length > 0) responses['404'] ??= errorResponse("Not found (also for another owner's job)");
    if (spec.request?.multipart || spec.request?.media) {
      responses['413'] ??= errorResponse('Too large or too long');
      responses['415'] ??= errorResponse('Not a video or audio file (judged by its content)');
    }
    if (spec.auth !== false) responses['429'] ??= errorResponse('Rate limited (see Retry-After)');
    responses['503'] ??= errorResponse('A dependency (Redis, the database) is unavailable; retry after Retry-After');
    responses.default = errorResponse('Unexpected error');

    paths[toOpenApiPath(spec.path)] ??= {};
    paths[toOpenApiPath(spec.path)]![spec.method] = {
      summary: spec.summary,
      tags: [spec.tag],
      operationId: operationId(spec),
      ...(spec.auth === false ? { security: [] } : {}),
      ...(pathParameters.length + queryParameters.length > 0 ? { parameters: [...pathParameters, ...queryParameters] } : {}),
      ...(Object.keys(content).length > 0 ? { requestBody: { required: true, content } } : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: { title: 'Babelfish API', version: info.version, description: 'Self-hosted video transcription and translation. Authenticate with `Authorization: Bearer <API key>` (or the dashboard session cookie).' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `babelfish keys create`' },
        session: { type: 'apiKey', in: 'cookie', name: 'bf_session' },
      },
    },
  };
}

function operationId(spec: RouteSpec): string {
  const words = spec.path.split('/').filter((part) => part && part !== 'v1').map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part));
  return [spec.method, ...words].join('-').replace(/[^A-Za-z0-9-]/g, '-');
}

/** zod's local `#/$defs/X` references, pointed at the shared components instead. */
function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, key === '$ref' && typeof inner === 'string' ? inner.replace('#/$defs/', '#/components/schemas/') : relink(inner)]),
    );
  }
  return value;
}

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { verifySigV4, type Verdict } from './sigv4-verifier';

/**
 * A real S3-compatible HTTP server on 127.0.0.1 for tests: s3rver (S3's REST API on disk:
 * buckets, multipart uploads, ranges, batch deletes, response-header overrides) behind a proxy
 * that enforces SigV4 the way S3 does, because s3rver itself accepts any v4 signature.
 * s3rver knows one account, S3RVER/S3RVER.
 */
export type S3TestServer = {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request the proxy saw, for asserting on the protocol (multipart, batch delete). */
  requests: { method: string; url: string; verdict: Verdict; status?: number }[];
  close(): Promise<void>;
};

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const hopByHop = new Set(['connection', 'expect', 'keep-alive', 'transfer-encoding']);

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

export async function startS3TestServer(options: { buckets: string[]; region?: string }): Promise<S3TestServer> {
  const region = options.region ?? 'eu-west-1';
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-s3rver-'));
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  });
  const { port: backendPort } = (await s3rver.run()) as AddressInfo;
  const requests: S3TestServer['requests'] = [];

  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const signed = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      const verdict = verifySigV4(signed, { ...credentials, region });
      const record: S3TestServer['requests'][number] = { method: signed.method, url: signed.url, verdict };
      requests.push(record);
      if (!verdict.ok) {
        res.writeHead(403, { 'content-type': 'application/xml' }).end(errorXml(verdict.code, verdict.reason));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !hopByHop.has(name)));
      const upstream = http.request(
        { host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: { ...headers, 'content-length': String(body.length) } },
        (response) => {
          record.status = response.statusCode;
          res.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(res);
        },
      );
      upstream.on('error', (error) => res.writeHead(502).end(String(error)));
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    credentials,
    requests,
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await s3rver.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

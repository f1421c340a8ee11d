import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * A stand-in for the Hugging Face hub on loopback, serving a folder in the transformers.js
 * layout at the hub's URLs: `/<org>/<model>/resolve/<revision>/<file>`, 404 for what is not
 * there. Like the real hub (whose large files live on a CDN), ONNX files answer with a 302 to
 * `/cdn/…`, so clients must follow redirects.
 */
export type ModelHub = { url: string; requests: string[]; close: () => Promise<void> };

/** `delayMs`: each file is answered that much later (a slow link, so a download lasts long enough to be watched). */
export async function startModelHub(root: string, options: { delayMs?: number } = {}): Promise<ModelHub> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    if (options.delayMs) setTimeout(() => answer(req, res), options.delayMs);
    else answer(req, res);
  });
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = decodeURIComponent(req.url ?? '/');
    requests.push(url);
    const hub = /^\/([\w.-]+\/[\w.-]+)\/resolve\/[\w.-]+\/(.+)$/.exec(url);
    const cdn = /^\/cdn\/([\w.-]+\/[\w.-]+)\/(.+)$/.exec(url);
    const match = hub ?? cdn;
    const file = match && !url.includes('..') ? path.join(root, match[1]!, match[2]!) : undefined;
    if (!match || !file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
      return;
    }
    if (hub && file.endsWith('.onnx')) {
      res.writeHead(302, { location: `/cdn/${match[1]}/${match[2]}` }).end();
      return;
    }
    res.writeHead(200, { 'content-length': fs.statSync(file).size, 'content-type': 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released), for "host unreachable". */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

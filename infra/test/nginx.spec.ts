import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as SocketServer } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { freePort, nginxTest, prepareNginx, startNginx, type NginxRun } from './support/nginx-harness';

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };

describe('docker/nginx/babelfish.conf under real nginx', () => {
  let upstream: http.Server;
  let sockets: SocketServer;
  let nginx: NginxRun;

  beforeAll(async () => {
    // Stands in for the API: echoes what reached it, and runs a real Socket.IO server.
    upstream = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.setHeader('content-type', 'application/json').end(JSON.stringify({ url: req.url, headers: req.headers, bytes })));
    });
    sockets = new SocketServer(upstream);
    sockets.on('connection', (socket) => socket.on('subscribe', (jobId: string, ack: (reply: unknown) => void) => ack({ jobId, transport: socket.conn.transport.name })));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    nginx = await startNginx((upstream.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await nginx?.stop();
    await sockets?.close();
    upstream?.closeAllConnections();
  });

  const request = (options: https.RequestOptions & { secure?: boolean }, body?: Buffer) =>
    new Promise<Reply>((resolve, reject) => {
      const transport = options.secure === false ? http : https;
      const req = transport.request(
        { host: '127.0.0.1', servername: 'localhost', ca: nginx.cert, ...options, port: options.secure === false ? nginx.httpPort : nginx.httpsPort },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('passes nginx -t', async () => {
    const { dir, conf } = prepareNginx(await freePort(), await freePort(), await freePort());
    try {
      expect(() => nginxTest(dir, conf)).not.toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('redirects plain HTTP to HTTPS, keeping the path and query', async () => {
    const reply = await request({ secure: false, path: '/v1/jobs?status=failed', headers: { host: 'babelfish.example' } });
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe('https://babelfish.example/v1/jobs?status=failed');
  });

  it('terminates TLS (1.2+) and proxies with forwarding headers and HSTS', async () => {
    const reply = await request({ path: '/v1/jobs', headers: { host: 'babelfish.example' } });
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/v1/jobs');
    expect(seen.headers).toMatchObject({ host: 'babelfish.example', 'x-forwarded-proto': 'https', 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' });
    expect(reply.headers['strict-transport-security']).toBe('max-age=31536000');
    await expect(request({ path: '/', maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow();
  });

  it('streams an upload body through unbuffered, whole', async () => {
    const body = Buffer.alloc(8 * 1024 * 1024, 1);
    const reply = await request({ method: 'POST', path: '/v1/jobs', headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } }, body);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).bytes).toBe(body.length);
  });

  it('upgrades Socket.IO to a WebSocket through the proxy', async () => {
    const client = connect(`https://localhost:${nginx.httpsPort}`, { transports: ['websocket'], ca: nginx.cert, reconnection: false });
    try {
      const reply = await new Promise((resolve, reject) => {
        client.on('connect_error', reject);
        client.on('connect', () => client.emit('subscribe', 'job-1', resolve));
      });
      expect(reply).toEqual({ jobId: 'job-1', transport: 'websocket' });
    } finally {
      client.close();
    }
  });
});

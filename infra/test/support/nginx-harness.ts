import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoPath } from './repo';

/**
 * Runs docker/nginx/babelfish.conf under Debian's nginx on loopback. Only what cannot exist
 * outside compose is rewritten in a temp copy: the upstream host (`api`, compose DNS) becomes
 * 127.0.0.1:<port>, the listen ports 80/443 become free high ports (no root-only binds), and the
 * certificate paths point at a self-signed pair made here with openssl. Every other directive
 * (TLS, redirect, upgrade map, body limits, buffering, timeouts) is tested as written.
 */
// /usr/sbin is not on every user's PATH; scripts/setup.sh installs Debian's nginx-light there.
const nginxBin = fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

export type NginxRun = { httpPort: number; httpsPort: number; cert: string; dir: string; stop(): Promise<void> };

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function prepareNginx(upstreamPort: number, httpPort: number, httpsPort: number): { dir: string; conf: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-nginx-'));
  // Workers drop to an unprivileged user when nginx runs as root; they write request bodies here.
  fs.chmodSync(dir, 0o777);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost', '-keyout', path.join(dir, 'tls.key'), '-out', path.join(dir, 'tls.crt')], { stdio: 'ignore' });
  const site = fs
    .readFileSync(repoPath('docker/nginx/babelfish.conf'), 'utf8')
    .replace('server api:8080;', `server 127.0.0.1:${upstreamPort};`)
    .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
    .replace('listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`)
    .replaceAll('/etc/nginx/certs/', `${dir}/`);
  fs.writeFileSync(path.join(dir, 'babelfish.conf'), site);
  // The stock image's nginx.conf, reduced to what a test prefix needs.
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
      `events { worker_connections 64; }\n` +
      `http {\n  access_log ${dir}/access.log;\n` +
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/${kind}_temp;\n`).join('') +
      `  include ${dir}/babelfish.conf;\n}\n`,
  );
  return { dir, conf, cert: fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8') };
}

export function nginxTest(dir: string, conf: string): string {
  return execFileSync(nginxBin, ['-t', '-p', dir, '-c', conf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) + '';
}

async function waitForPort(port: number, process: ChildProcess, dir: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (process.exitCode !== null) throw new Error(`nginx exited: ${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('nginx did not start listening');
}

export async function startNginx(upstreamPort: number): Promise<NginxRun> {
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const { dir, conf, cert } = prepareNginx(upstreamPort, httpPort, httpsPort);
  const child = spawn(nginxBin, ['-p', dir, '-c', conf], { stdio: 'ignore' });
  await waitForPort(httpsPort, child, dir);
  return {
    httpPort,
    httpsPort,
    cert,
    dir,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT'); // graceful shutdown of this nginx only (our child's pid)
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

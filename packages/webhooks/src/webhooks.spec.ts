import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { checkDestination, deliverWebhook, generateWebhookSecret, isWebhookSecret, parseDestinationPolicy, retryDelayMs, signWebhook } from './index';

describe('webhook destinations', () => {
  const none = parseDestinationPolicy('');

  it.each([
    ['http://127.0.0.1:9/x', 'loopback'],
    ['http://[::1]/x', 'IPv6 loopback'],
    ['http://10.1.2.3/x', 'private 10/8'],
    ['http://172.20.0.5/x', 'private 172.16/12'],
    ['http://192.168.1.1/x', 'private 192.168/16'],
    ['http://100.64.0.1/x', 'carrier-grade NAT'],
    ['http://169.254.10.10/x', 'link-local'],
    ['http://[fe80::1]/x', 'IPv6 link-local'],
    ['http://[fd12::1]/x', 'IPv6 unique local'],
    ['http://[::ffff:10.0.0.1]/x', 'IPv4-mapped private'],
    ['http://0.0.0.0/x', 'unspecified'],
    ['http://localhost/x', 'a name resolving to loopback'],
  ])('refuses %s (%s) unless allow-listed', async (url) => {
    await expect(checkDestination(url, none)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/private, loopback or link-local/) });
  });

  it('never allows cloud metadata endpoints, even inside an allow-listed range', async () => {
    const generous = parseDestinationPolicy('169.254.0.0/16,100.64.0.0/10,metadata.google.internal,fd00::/8');
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://169.254.170.2/v2/credentials', 'http://100.100.100.200/', 'http://[fd00:ec2::254]/', 'http://metadata.google.internal/', 'http://[::ffff:169.254.169.254]/']) {
      await expect(checkDestination(url, generous)).rejects.toMatchObject({ message: expect.stringMatching(/metadata/) });
    }
  });

  it('accepts public addresses, and private ones named in the allow-list by host, IP or CIDR', async () => {
    await expect(checkDestination('https://93.184.215.14/hook', none)).resolves.toMatchObject({ address: '93.184.215.14', family: 4 });
    await expect(checkDestination('http://127.0.0.1:8080/hook', parseDestinationPolicy('127.0.0.1'))).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(checkDestination('http://10.9.8.7/hook', parseDestinationPolicy('10.0.0.0/8'))).resolves.toMatchObject({ address: '10.9.8.7' });
    await expect(checkDestination('http://localhost:1/hook', parseDestinationPolicy('localhost'))).resolves.toMatchObject({ url: expect.any(URL) });
    await expect(checkDestination('http://10.9.8.7/hook', parseDestinationPolicy('10.0.0.0/24'))).rejects.toThrow(/private/);
  });

  it('refuses other schemes, credentials in the URL, non-URLs and names that do not resolve', async () => {
    await expect(checkDestination('ftp://93.184.215.14/x', none)).rejects.toThrow(/https/);
    await expect(checkDestination('file:///etc/passwd', none)).rejects.toThrow(/https/);
    await expect(checkDestination('https://user:pw@93.184.215.14/x', none)).rejects.toThrow(/credentials/);
    await expect(checkDestination('not a url', none)).rejects.toThrow(/not a valid URL/);
    await expect(checkDestination('https://no-such-host.invalid/x', none)).rejects.toThrow(/does not resolve/);
    expect(() => parseDestinationPolicy('10.0.0.0/33')).toThrow(/prefix/);
    expect(() => parseDestinationPolicy('bad host!')).toThrow(/neither/);
  });
});

describe('webhook signatures and delivery', () => {
  it('signs per Standard Webhooks, verified by the standardwebhooks library', () => {
    const secret = generateWebhookSecret();
    expect(isWebhookSecret(secret)).toBe(true);
    const body = JSON.stringify({ type: 'job.completed', data: { id: 'x' } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, 'msg_1', timestamp, body) };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('x', 'y'), headers)).toThrow();
  });

  it('posts the signed body to the checked address, does not follow redirects and reports failures', async () => {
    const received: Array<{ url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    let answer = 204;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ url: req.url, headers: req.headers, body });
        if (answer === 302) res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
        else res.writeHead(answer).end('x'.repeat(10_000));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const secret = generateWebhookSecret();
    const options = { policy: parseDestinationPolicy('127.0.0.1'), timeoutMs: 2000 };
    const message = { id: 'msg_2', url: `http://127.0.0.1:${port}/hooks?x=1`, body: '{"type":"job.failed"}', secret };
    try {
      await expect(deliverWebhook(message, options)).resolves.toMatchObject({ ok: true, statusCode: 204 });
      const first = received[0]!;
      expect(first.url).toBe('/hooks?x=1');
      expect(first.headers['content-type']).toBe('application/json');
      expect(new Webhook(secret).verify(first.body, first.headers as Record<string, string>)).toEqual({ type: 'job.failed' });
      answer = 302;
      await expect(deliverWebhook(message, options)).resolves.toMatchObject({ ok: false, statusCode: 302, error: 'the receiver answered 302' });
      answer = 500;
      await expect(deliverWebhook(message, options)).resolves.toMatchObject({ ok: false, statusCode: 500 });
      expect(received).toHaveLength(3);
      await expect(deliverWebhook(message, { ...options, policy: parseDestinationPolicy('') })).resolves.toMatchObject({ ok: false, error: expect.stringMatching(/private/) });
      expect(received).toHaveLength(3);
    } finally {
      server.close();
    }
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const outcome = await deliverWebhook({ id: 'm', url: `http://127.0.0.1:${port}/`, body: '{}', secret: generateWebhookSecret() }, { policy: parseDestinationPolicy('127.0.0.1'), timeoutMs: 300 });
      expect(outcome).toMatchObject({ ok: false, error: 'no answer within 300 ms' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('retries on the configured schedule, repeating its last delay', () => {
    const delays = [5, 50, 500];
    expect([1, 2, 3, 4].map((made) => retryDelayMs(delays, made))).toEqual([5, 50, 500, 500]);
  });
});

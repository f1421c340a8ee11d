import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkDestination, type DestinationPolicy } from './destination-policy';
import { signWebhook } from './signing';

export type WebhookMessage = { id: string; url: string; body: string; secret: string };

export type DeliveryOutcome = {
  ok: boolean;
  statusCode?: number;
  /** Why it failed, in words for the delivery log (refused destination, timeout, status). */
  error?: string;
  durationMs: number;
};

const USER_AGENT = 'Babelfish-Webhooks/1';
const MAX_RESPONSE_BYTES = 1024;

/**
 * One delivery attempt. The destination is checked again (DNS can change between attempts) and
 * the connection goes to the address that was checked; redirects are not followed (a 3xx could
 * point anywhere) and count as a failure; any 2xx is success.
 */
export async function deliverWebhook(message: WebhookMessage, options: { policy: DestinationPolicy; timeoutMs: number; now?: () => number }): Promise<DeliveryOutcome> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let destination;
  try {
    destination = await checkDestination(message.url, options.policy);
  } catch (error) {
    return { ok: false, error: (error as Error).message, durationMs: elapsed() };
  }
  const timestamp = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': message.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(message.secret, message.id, timestamp, message.body),
    'content-length': String(Buffer.byteLength(message.body)),
  };
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) callback(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  };
  const transport = destination.url.protocol === 'https:' ? https : http;
  return new Promise<DeliveryOutcome>((resolve) => {
    const request = transport.request(
      destination.url,
      { method: 'POST', headers, lookup: pinned, timeout: options.timeoutMs, agent: false },
      (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        const finish = () => {
          const statusCode = response.statusCode ?? 0;
          const ok = statusCode >= 200 && statusCode < 300;
          resolve({ ok, statusCode, durationMs: elapsed(), ...(ok ? {} : { error: `the receiver answered ${statusCode}` }) });
        };
        response.on('end', finish);
        response.on('close', finish);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', (error) => resolve({ ok: false, error: error.message, durationMs: elapsed() }));
    request.end(message.body);
  });
}

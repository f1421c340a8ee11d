import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * An independent AWS Signature Version 4 check for S3 requests, written from AWS's published
 * algorithm (not with the SDK's signer, which would only agree with itself). The S3 test server
 * (s3rver) accepts any v4 signature, so the test suite puts this in front of it: a request that
 * real S3 would refuse for its signature, scope, expiry or payload hash is refused here too.
 * Its own correctness is pinned by AWS's documented examples in sigv4-verifier.spec.ts.
 */
export type SignedRequest = {
  method: string;
  /** Path and query exactly as sent (`/bucket/key?x=y`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
};
export type VerifyOptions = { accessKeyId: string; secretAccessKey: string; region: string; now?: Date };
export type Verdict = { ok: true } | { ok: false; code: string; reason: string };

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
// RFC 3986 unreserved characters stay; everything else is %XX (uppercase), as SigV4 requires.
const uriEncode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const header = (headers: SignedRequest['headers'], name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};
const fail = (code: string, reason: string): Verdict => ({ ok: false, code, reason });
const parseAmzDate = (value: string) =>
  new Date(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`);

export function signingKey(secret: string, date: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
}

export function canonicalRequest(request: SignedRequest, signedHeaders: string[], payloadHash: string): string {
  const [rawPath = '/', rawQuery = ''] = request.url.split('?', 2);
  // S3 encodes each path segment once; decode first so what the client sent is compared fairly.
  const path = rawPath.split('/').map((segment) => uriEncode(decodeURIComponent(segment))).join('/');
  const query = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=', 2).map((part) => uriEncode(decodeURIComponent(part.replace(/\+/g, '%20')))))
    .filter(([name]) => name !== 'X-Amz-Signature')
    .sort(([a = '', av = ''], [b = '', bv = '']) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value = '']) => `${name}=${value}`)
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${(header(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  return [request.method, path, query, headers, signedHeaders.join(';'), payloadHash].join('\n');
}

function check(request: SignedRequest, options: VerifyOptions, auth: {
  credential: string; signedHeaders: string[]; signature: string; amzDate: string; payloadHash: string;
}): Verdict {
  const [accessKeyId, date, region, service, terminator] = auth.credential.split('/');
  if (accessKeyId !== options.accessKeyId) return fail('InvalidAccessKeyId', `unknown access key ${accessKeyId}`);
  if (region !== options.region || service !== 's3' || terminator !== 'aws4_request' || !auth.amzDate.startsWith(date ?? '-')) {
    return fail('AuthorizationHeaderMalformed', `bad credential scope ${auth.credential}`);
  }
  if (!auth.signedHeaders.includes('host')) return fail('AccessDenied', 'host is not signed');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', auth.amzDate, scope, sha256(canonicalRequest(request, auth.signedHeaders, auth.payloadHash))].join('\n');
  const expected = createHmac('sha256', signingKey(options.secretAccessKey, date!, region)).update(stringToSign).digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail('SignatureDoesNotMatch', 'the request signature does not match');
  }
  return { ok: true };
}

/** Verifies an `Authorization: AWS4-HMAC-SHA256 …` request, including its declared payload hash. */
function verifyHeaderAuth(request: SignedRequest, options: VerifyOptions, now: Date): Verdict {
  const match = /^AWS4-HMAC-SHA256 Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(header(request.headers, 'authorization') ?? '');
  if (!match) return fail('AccessDenied', 'not an AWS4-HMAC-SHA256 Authorization header');
  const amzDate = header(request.headers, 'x-amz-date') ?? '';
  if (Math.abs(now.getTime() - parseAmzDate(amzDate).getTime()) > 15 * 60_000) return fail('RequestTimeTooSkewed', `x-amz-date ${amzDate}`);
  const payloadHash = header(request.headers, 'x-amz-content-sha256');
  if (!payloadHash) return fail('InvalidRequest', 'missing x-amz-content-sha256');
  if (/^[0-9a-f]{64}$/.test(payloadHash) && request.body && sha256(request.body) !== payloadHash) {
    return fail('XAmzContentSHA256Mismatch', 'the body does not match its declared hash');
  }
  if (!/^[0-9a-f]{64}$/.test(payloadHash) && !['UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'].includes(payloadHash)) {
    return fail('NotImplemented', `payload mode ${payloadHash} is not checked by this verifier`);
  }
  return check(request, options, { credential: match[1]!, signedHeaders: match[2]!.split(';'), signature: match[3]!, amzDate, payloadHash });
}

/** Verifies a presigned URL (`X-Amz-Signature` in the query), including its expiry. */
function verifyQueryAuth(request: SignedRequest, options: VerifyOptions, now: Date): Verdict {
  const query = new URLSearchParams(request.url.split('?', 2)[1] ?? '');
  if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return fail('AuthorizationQueryParametersError', 'bad X-Amz-Algorithm');
  const amzDate = query.get('X-Amz-Date') ?? '';
  const expires = Number(query.get('X-Amz-Expires'));
  if (!(expires > 0 && expires <= 604_800)) return fail('AuthorizationQueryParametersError', 'X-Amz-Expires out of range');
  if (now.getTime() > parseAmzDate(amzDate).getTime() + expires * 1000) return fail('AccessDenied', 'Request has expired');
  return check(request, options, {
    credential: query.get('X-Amz-Credential') ?? '',
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
    signature: query.get('X-Amz-Signature') ?? '',
    amzDate,
    payloadHash: 'UNSIGNED-PAYLOAD',
  });
}

export function verifySigV4(request: SignedRequest, options: VerifyOptions): Verdict {
  const now = options.now ?? new Date();
  if (request.url.includes('X-Amz-Signature=')) return verifyQueryAuth(request, options, now);
  if (header(request.headers, 'authorization')) return verifyHeaderAuth(request, options, now);
  return fail('AccessDenied', 'anonymous requests are refused');
}

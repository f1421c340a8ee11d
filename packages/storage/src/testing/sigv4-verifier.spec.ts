import { verifySigV4 } from './sigv4-verifier';

// AWS's documented SigV4 examples for S3 ("Signature Calculations for the Authorization Header"
// and "Query String Authentication"): if the verifier accepts these exact signatures and refuses
// a one-character change, it implements the same algorithm S3 does.
const example = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  now: new Date('2013-05-24T00:00:00Z'),
};
const emptyHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('SigV4 verifier (used in front of the S3 test server)', () => {
  const getObject = {
    method: 'GET',
    url: '/test.txt',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': emptyHash,
      'x-amz-date': '20130524T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    },
    body: Buffer.alloc(0),
  };

  it("accepts AWS's documented GET Object example and refuses it altered", () => {
    expect(verifySigV4(getObject, example)).toEqual({ ok: true });
    expect(verifySigV4({ ...getObject, headers: { ...getObject.headers, range: 'bytes=0-10' } }, example)).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(verifySigV4(getObject, { ...example, region: 'eu-west-1' })).toMatchObject({ code: 'AuthorizationHeaderMalformed' });
    expect(verifySigV4(getObject, { ...example, secretAccessKey: 'other' })).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(verifySigV4({ ...getObject, body: Buffer.from('x') }, example)).toMatchObject({ code: 'XAmzContentSHA256Mismatch' });
    expect(verifySigV4(getObject, { ...example, now: new Date('2013-05-24T00:20:00Z') })).toMatchObject({ code: 'RequestTimeTooSkewed' });
  });

  const presigned = {
    method: 'GET',
    url:
      '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    headers: { host: 'examplebucket.s3.amazonaws.com' },
  };

  it("accepts AWS's documented presigned URL example until it expires", () => {
    expect(verifySigV4(presigned, example)).toEqual({ ok: true });
    expect(verifySigV4({ ...presigned, url: presigned.url.replace('Expires=86400', 'Expires=86401') }, example)).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(verifySigV4(presigned, { ...example, now: new Date('2013-05-25T00:00:01Z') })).toMatchObject({ code: 'AccessDenied' });
    expect(verifySigV4({ ...presigned, headers: {} }, example)).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('refuses anonymous requests', () => {
    expect(verifySigV4({ method: 'GET', url: '/b/k', headers: { host: 'x' } }, example)).toMatchObject({ ok: false, code: 'AccessDenied' });
  });
});

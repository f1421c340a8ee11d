// Test helpers for other packages' tests (never imported by production code).
export { startS3TestServer, type S3TestServer } from './s3-test-server';
export { itBehavesLikeStorage } from './storage-contract';

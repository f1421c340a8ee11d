export * from './content-disposition';
export * from './create-storage';
export * from './keys';
export * from './local-storage';
export * from './storage';
// Type only: the S3 backend (and the AWS SDK) loads on first use through createStorage.
export type { S3StorageOptions } from './s3-storage';
export * from './held-local-file';

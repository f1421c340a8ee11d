export * from './connect';
export * from './jobs-repository';
export * from './migrations';
export type { Database } from './schema';
export * from './subtitles-repository';
export * from './api-keys-repository';
export * from './translation-cache-repository';
export * from './webhooks-repository';

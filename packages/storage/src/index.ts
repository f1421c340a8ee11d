export * from './keys';
export * from './local-storage';
export * from './storage';

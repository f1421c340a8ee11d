export * from './errors';
export * from './languages';
export * from './types';
export * from './wer';
export * from './subtitle-validation';
export * from './cue-text';
export * from './job-options';
export * from './seeded-random';

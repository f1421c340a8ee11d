export * from './errors';
export * from './languages';
export * from './types';
export * from './wer';
export * from './subtitle-validation';
export * from './job-options';

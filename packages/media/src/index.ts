export * from './audio';
export * from './mux';
export * from './output';
export * from './probe';
export * from './process';
export * from './progress';
export * from './subtitles';
export * from './frame';

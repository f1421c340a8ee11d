export * from './catalogue';
export * from './connection';
export * from './progress-bus';
export * from './queues';
export * from './queue-depth-metric';
export * from './key-revocations';
export * from './webhook-queue';
export * from './job-cancellations';

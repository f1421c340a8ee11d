export * from './destination-policy';
export * from './signing';
export * from './deliver';
export * from './retry-schedule';

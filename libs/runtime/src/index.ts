export * from './env';
export * from './infra.config';
export * from './runtime';
export * from './host';

// Health check, metrics and machine sampling: the pieces the API's /health and /metrics use.
export * from './evaluate.ts';
export * from './metrics.ts';
export * from './prometheus.ts';
export * from './rates.ts';
export * from './system.ts';

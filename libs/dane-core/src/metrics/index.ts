export * from './task-metrics';
export * from './metrics.module';
export * from './metrics-server.module';
export * from './flow-metrics';

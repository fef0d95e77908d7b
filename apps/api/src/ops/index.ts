export * from './ops.module';
export * from './ops-metrics.service';
export * from './request-log-fields.interceptor';

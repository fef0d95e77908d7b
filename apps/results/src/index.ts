export * from './results.module';
export * from './result.consumer';

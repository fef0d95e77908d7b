export * from './results.module';
export * from './result.consumer';
export * from './result-message';
export * from './broker.provider';

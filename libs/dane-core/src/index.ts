export * from './errors';
export * from './model';
export * from './state/task-state';
export * from './config';
export * from './storage/page';
export * from './storage/store.port';
export * from './broker';
export * from './storage/storage.module';

export * from './defaults';
export * from './load-config';
export * from './dane-config.module';

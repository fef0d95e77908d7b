export * from './dane-config.module';
export * from './heap-growing';

export * from './dane-config.module';

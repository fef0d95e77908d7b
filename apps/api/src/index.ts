export * from './api.module';
export * from './configure-api-app';
export * from './filters/dane-exception.filter';
export * from './auth';
export * from './api-module-options';

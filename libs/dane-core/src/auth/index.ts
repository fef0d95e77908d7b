export * from './roles';
export * from './api-key';
export * from './api-key.repository';
export * from './api-key.service';
export * from './principal';

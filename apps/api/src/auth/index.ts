export * from './auth.module';
export * from './auth-settings';
export * from './authenticator.service';
export * from './bootstrap-admin-key';
export * from './route-roles';

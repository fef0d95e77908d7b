export * from './backoff';
export * from './retry-policy';
export * from './dependencies';
export * from './outcome';
export * from './publish-outcome';
export * from './lease-expiry';
export * from './needs-person';

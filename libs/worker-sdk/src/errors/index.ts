export * from './refuse-job';
export * from './invalid-binding-key-error';
export * from './outcome-errors';

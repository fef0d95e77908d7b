export * from './python-json';
export * from './messages';
export * from './reply';

export * from './python-str';
export * from './ids';
export * from './requote-uri';
export * from './timestamp';
export * from './document';
export * from './task';
export * from './result';
export * from './vocabulary';

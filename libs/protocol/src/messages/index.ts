/** The DANE message protocol: encode and decode of every message, used by the worker SDK and the server alike. */
export * from './python-json';
export * from './headers';
export * from './task-frame';
export * from './reply';
export * from './heartbeat';
export * from './result-message';
export * from './event';

export * from './event-publisher';
export * from './evented-store';

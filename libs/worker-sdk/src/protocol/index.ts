export * from './headers';
export * from './outcomes';
export * from './parse-task-message';

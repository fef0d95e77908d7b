export * from './validation';
export * from './validators';
export * from './page-query.dto';
export * from './document.dto';
export * from './task.dto';
export * from './task-list-query.dto';
export * from './result.dto';

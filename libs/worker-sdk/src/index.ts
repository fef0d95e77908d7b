/** @dane/worker — write DANE workers in TypeScript (see libs/worker-sdk/README.md). */
// What a worker needs from the wire contract, so that workers import @dane/worker alone.
export { TaskState, ConfigError, ValidationError, type TaskStateCode, type DaneDocument, type DaneConfig, type Generator } from '@dane/protocol';
export * from './dane-worker';
export * from './create-worker';
export * from './worker-options';
export * from './worker-task';
export * from './binding-keys';
export * from './dirs';
export { locateBaseDir } from './base-dir';
export * from './generator';
export * from './errors';
export * from './protocol';
export * from './execution/task-context';
export { TaskCancelledError } from './execution/cancellations';
export * from './log/worker-log';
export * from './api/dane-api-client';
export * from './batch/run-batch';
export * from './batch/cli-args';
export * from './run-worker-cli';

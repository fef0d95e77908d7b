/** @dane/client — the DANE REST API for TypeScript (see libs/client-sdk/README.md). */
// Task states as the server reports them, so a client needs no second import.
export { TaskState, STATE_TABLE, type TaskStateCode } from '@dane/protocol';
export * from './dane-client';
export * from './errors';
export * from './http/base-url';
export { BODY_CHECKS, type BodyCheck } from './http/body-checks';
export { HttpTransport, DEFAULT_TIMEOUT_MS, type ApiResponse, type RequestOptions, type TransportOptions } from './http/http-transport';
export * from './paging/page';
export * from './model/views';
export * from './model/task-json';
export * from './model/task';
export * from './model/document';
export * from './model/result';
export * from './api/documents-api';
export * from './api/tasks-api';
export * from './api/results-api';
export * from './api/server-api';
export * from './api/campaigns-api';
export * from './bulk/chunks';
export * from './bulk/register-many';
export * from './bulk/assign-many';

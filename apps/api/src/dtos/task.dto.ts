import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TaskState } from '@dane/core';

/* Answers of the task routes, for the OpenAPI document; the request DTOs live in @dane/core. */

/** Marshalled Task (the view of docs/protocol.md, Task; docs/protocol.md, Differences from the Python server): `state` as a string, `args` `{"*": null}` when empty. */
export class TaskDto {
  @ApiProperty({ description: 'sha1(document_id + KEY)' })
  _id: string;
  @ApiProperty({ example: 'ASR' })
  key: string;
  @ApiProperty({ example: String(TaskState.CREATED), description: 'State code as a string (flask-restx fields.String)' })
  state: string;
  @ApiProperty({ example: 'Created', nullable: true })
  msg: string | null;
  @ApiProperty({ example: 1 })
  priority: number;
  @ApiProperty({ nullable: true })
  created_at: string | null;
  @ApiProperty({ nullable: true })
  updated_at: string | null;
  @ApiProperty({ type: Object, example: { '*': null } })
  args: Record<string, unknown>;
  @ApiProperty({ description: 'Extension: the document the task belongs to' })
  document_id: string;
  @ApiProperty({ type: [String], description: 'Extension: keys this task waits for' })
  depends_on: string[];
  @ApiProperty({ description: 'Extension: dispatch attempts so far' })
  attempt: number;
}

/** Python `Task.to_json()` (docs/protocol.md, Task), answered by `GET /DANE/task/`: integer state, nulls dropped. */
export class TaskJsonDto {
  @ApiProperty()
  key: string;
  @ApiProperty()
  _id: string;
  @ApiProperty({ example: TaskState.QUEUED })
  state: number;
  @ApiPropertyOptional()
  msg?: string;
  @ApiPropertyOptional()
  created_at?: string;
  @ApiPropertyOptional()
  updated_at?: string;
  @ApiPropertyOptional()
  priority?: number;
  @ApiPropertyOptional({ type: Object })
  args?: Record<string, unknown>;
}

export class TaskFailureDto {
  @ApiProperty({ description: 'The document id as sent' })
  document_id: string;
  @ApiProperty({ example: 'Task `ASR` already assigned to document `5bd2b0d28a5b2bbd3a8be5a7e39f8cbf1ed6be10`' })
  error: string;
}

export class TaskBulkResponseDto {
  @ApiProperty({ type: [TaskDto] })
  success: TaskDto[];
  @ApiProperty({ type: [TaskFailureDto] })
  failed: TaskFailureDto[];
}

/** Legacy `GET /DANE/task/inprogress` (docs/protocol.md, Legacy routes). */
export class InProgressDto {
  @ApiProperty({ type: [String], description: 'Ids of the tasks not in 200 or 412 (in flight, to run, errored or waiting for a person), oldest first (this page)' })
  tasks: string[];
}

/** `POST /DANE/task/<id>/cancel` (docs/protocol.md, Cancellation). */
export class TaskCancelResponseDto {
  @ApiProperty({ type: TaskDto, description: 'The task as stored after the cancel (state "499")' })
  task: TaskDto;
  @ApiProperty({ type: [String], description: 'Ids of the dependants cancelled with it (?cascade=true)' })
  cascaded: string[];
  @ApiProperty({ type: [String], description: 'Ids of the 412 dependants that now say `blocked by KEY: cancelled` (without cascade)' })
  blocked: string[];
}

export class TaskCancelSkippedDto {
  @ApiProperty({ description: 'Selected tasks that are done (200): a finished task is not cancelled' })
  done: number;
  @ApiProperty({ description: 'Selected tasks cancelled already' })
  already_cancelled: number;
  @ApiProperty({ description: 'Selected tasks that became done or were deleted while the cancel ran' })
  changed: number;
}

export class TaskCancelIdsDto {
  @ApiProperty({ type: [String] })
  cancelled: string[];
  @ApiProperty({ type: [String] })
  cascaded: string[];
  @ApiProperty({ type: [String] })
  blocked: string[];
}

/** `POST /DANE/task/cancel` (docs/protocol.md, Cancellation). */
export class TaskCancelSummaryDto {
  @ApiProperty({ description: 'Tasks the filter selected' })
  matched: number;
  @ApiProperty({ description: 'Selected tasks moved to 499' })
  cancelled: number;
  @ApiProperty({ description: 'Dependants cancelled with them (?cascade=true)' })
  cascaded: number;
  @ApiProperty({ description: '412 dependants that now say `blocked by KEY: cancelled`' })
  blocked: number;
  @ApiProperty({ type: TaskCancelSkippedDto })
  skipped: TaskCancelSkippedDto;
  @ApiProperty({ type: [String], description: 'document_ids / task_ids that name nothing' })
  not_found: string[];
  @ApiProperty({ type: TaskCancelIdsDto })
  ids: TaskCancelIdsDto;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { MAX_PRIORITY, MIN_PRIORITY, TASK_ACTIONS, TaskState } from '@dane/core';

/**
 * Body of `POST /DANE/task/`. Lenient by contract (other keys become args, §1.2; the web UI form
 * `{"document_id", "task": {"key", "priority"}}` is accepted), so it is checked by dane-core's
 * parseTaskSpec, not by class-validator.
 */
export class TaskAssignDto {
  @ApiProperty({
    description: 'One document id (answer 201 with the task) or a list of ids (answer 200 with success/failed)',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  })
  document_id: string | string[];
  @ApiProperty({ description: 'Task key, upper-cased on assignment', example: 'ASR' })
  key: string;
  @ApiPropertyOptional({ minimum: MIN_PRIORITY, maximum: MAX_PRIORITY, default: 1, description: 'Clamped to 0..10' })
  priority?: number;
  @ApiPropertyOptional({ type: Object, description: 'Free-form task arguments' })
  args?: Record<string, unknown>;
  @ApiPropertyOptional({
    type: [String],
    description: 'Keys of tasks on the same document that must be 200 first; the task waits in 412 until then',
    example: ['DOWNLOAD'],
  })
  depends_on?: string[];
}

/** Marshalled Task (§1.2 REST form, §5.8): `state` as a string, `args` `{"*": null}` when empty. */
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

/** Python `Task.to_json()` (§1.2), answered by `GET /DANE/task/`: integer state, nulls dropped. */
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

export class TaskActionParamsDto {
  @ApiProperty({ description: 'Task id' })
  id: string;
  @ApiProperty({ enum: TASK_ACTIONS, description: 'Case-insensitive' })
  action: string;
}

export class TaskActionQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: "Also put the task's dependants (tasks of the same document whose depends_on names its key, transitively) back to 412",
  })
  @Allow()
  cascade?: string;
}

/** Legacy `GET /DANE/task/inprogress` (§5.7). */
export class InProgressDto {
  @ApiProperty({ type: [String] })
  tasks: string[];
}

import { ApiProperty, ApiPropertyOptional } from './api-doc';
import { IsArray, IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { validateBody } from './validation';
import { IsNonEmptyString, IsTaskKey } from './validators';

/** Longest retry delay a worker may ask for (the reply's `retry_after_ms`): 24 h. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * Body of `POST /DANE/task/claim` (docs/protocol.md, Batch runs): a worker running outside the queue (batch mode)
 * claims the task of a key on a document — assigned when missing — to run it itself.
 */
export class TaskClaimDto {
  @ApiProperty({ description: 'The document', example: '03d28a6b6b1c3f0c1c5b0e5d9f0a2e3c4b5a6978' })
  @IsNonEmptyString()
  document_id: string;

  @ApiProperty({ description: 'The task key (the worker’s); the task is assigned when the document has none', example: 'FILESIZE' })
  @IsTaskKey()
  key: string;

  @ApiPropertyOptional({ description: 'Also claim a task that is done (200): a re-run. A task in flight (102) is never claimed.', default: false })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

/** Body of `POST /DANE/task/<id>/heartbeat`: the claimed attempt, and progress text. */
export class TaskHeartbeatDto {
  @ApiProperty({ description: 'The attempt the claim answered', example: 1 })
  @IsInt()
  @Min(1)
  attempt: number;

  @ApiPropertyOptional({ description: 'Progress text; becomes the task’s msg', example: 'half way' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  message?: string;
}

/** Body of `POST /DANE/task/<id>/outcome`: the worker's reply for the claimed attempt, as on the response queue. */
export class TaskOutcomeDto extends TaskHeartbeatDto {
  @ApiProperty({ description: 'The outcome, a state of the table but 102 (docs/protocol.md, State table)', example: 200 })
  @IsInt()
  state: number;

  @ApiPropertyOptional({ type: [Object], description: 'With 412: the task keys (or task objects) to run first', example: ['DOWNLOAD'] })
  @IsOptional()
  @IsArray()
  dependencies?: Array<string | Record<string, unknown>>;

  @ApiPropertyOptional({ description: 'With 503: run again after this delay (at most 24 h)', example: 60000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RETRY_AFTER_MS)
  retry_after_ms?: number;

  @ApiPropertyOptional({ description: 'The worker refused the job (RefuseJob): back to runnable after a back-off, like a refusal on the queue', default: false })
  @IsOptional()
  @IsBoolean()
  refused?: boolean;
}

/** Answer of `POST /DANE/task/claim`: the claimed task and its document, the attempt to name in heartbeats and the outcome. */
export interface TaskClaimView<TaskView = unknown, DocumentView = unknown> {
  task: TaskView;
  document: DocumentView;
  /** The attempt to name in heartbeats and the outcome. */
  attempt: number;
  /** The state the claim took the task from. */
  previous_state: number;
  /** Without a heartbeat for this long the task is considered lost. */
  lease_seconds: number;
}

/** Body of `POST /DANE/task/claim/<id>/outcome` besides the attempt: a worker reply (docs/protocol.md, Replies). */
export type TaskOutcomeBody = Omit<TaskOutcomeDto, 'attempt'>;

export function validateTaskClaim(input: unknown): TaskClaimDto {
  return validateBody(TaskClaimDto, input, { notObject: 'Invalid claim: expected a JSON object with document_id and key', closed: 'Invalid claim' });
}

export function validateTaskHeartbeat(input: unknown): TaskHeartbeatDto {
  return validateBody(TaskHeartbeatDto, input, { notObject: 'Invalid heartbeat: expected a JSON object with attempt', closed: 'Invalid heartbeat' });
}

export function validateTaskOutcome(input: unknown): TaskOutcomeDto {
  return validateBody(TaskOutcomeDto, input, { notObject: 'Invalid outcome: expected a JSON object with attempt and state', closed: 'Invalid outcome' });
}

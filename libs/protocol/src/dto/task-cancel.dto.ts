import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, MaxLength } from 'class-validator';
import { STATE_TABLE } from '../state/task-state';
import { ApiPropertyOptional } from './api-doc';
import { validateBody } from './validation';
import { IsTaskKey } from './validators';

/** The most document or task ids one bulk cancel may list. */
export const MAX_CANCEL_IDS = 100_000;

const STATE_CODES = STATE_TABLE.map((s) => s.code);

/**
 * Body of `POST /DANE/task/cancel` (docs/protocol.md, Cancellation): which tasks to cancel. The criteria combine with
 * AND; at least one of key, creator, document_ids or task_ids is required, so no body cancels every task.
 */
export class TaskCancelDto {
  @ApiPropertyOptional({ description: 'The task key', example: 'ASR' })
  @IsOptional()
  @IsTaskKey()
  key?: string;

  @ApiPropertyOptional({ type: [Number], description: 'Only tasks in these states (codes); done (200) and cancelled (499) tasks are counted, never changed', example: [201, 502] })
  @IsOptional()
  @IsArray()
  @IsInt({ each: true, message: '$property must be task state codes' })
  @IsIn(STATE_CODES, { each: true, message: `$property must be task state codes: ${STATE_CODES.join(', ')}` })
  states?: number[];

  @ApiPropertyOptional({ description: 'Tasks of the documents of this creator.id', example: 'NISV' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  creator?: string;

  @ApiPropertyOptional({ type: [String], description: 'Tasks of these documents' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CANCEL_IDS)
  @IsString({ each: true })
  document_ids?: string[];

  @ApiPropertyOptional({ type: [String], description: 'These tasks' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CANCEL_IDS)
  @IsString({ each: true })
  task_ids?: string[];
}

export function validateTaskCancel(input: unknown): TaskCancelDto {
  return validateBody(TaskCancelDto, input, { notObject: 'Invalid cancel: expected a JSON object with key, states, creator, document_ids or task_ids', closed: 'Invalid cancel' });
}

/** Answer of `POST /DANE/task/<id>/cancel`: the task as stored after it, and its dependants (ids). */
export interface TaskCancelView<TaskView = unknown> {
  task: TaskView;
  /** Dependants cancelled with it (`?cascade=true`). */
  cascaded: string[];
  /** 412 dependants that now say `blocked by KEY: cancelled` (without cascade). */
  blocked: string[];
}

/** Answer of `POST /DANE/task/cancel`: counts, and the ids behind each. */
export interface TaskCancelSummaryView {
  matched: number;
  cancelled: number;
  cascaded: number;
  blocked: number;
  /** Selected tasks left alone because they were done (200), already cancelled, or became done / were deleted meanwhile. */
  skipped: { done: number; already_cancelled: number; changed: number };
  /** task_ids / document_ids that name nothing. */
  not_found: string[];
  ids: { cancelled: string[]; cascaded: string[]; blocked: string[] };
}

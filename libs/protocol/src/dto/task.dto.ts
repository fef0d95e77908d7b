import { ApiHideProperty, ApiProperty, ApiPropertyOptional } from './api-doc';
import { Transform } from 'class-transformer';
import { Allow, ValidateIf } from 'class-validator';
import { ValidationError } from '../errors';
import { isPlainObject, MAX_PRIORITY, MIN_PRIORITY, TASK_KEYWORDS } from '../model/vocabulary';
import { KeysetPageQueryDto } from './page-query.dto';
import { validateBody } from './validation';
import { IsAbsent, IsBooleanFlag, IsDependencyList, IsDocumentIds, IsOptionalObject, IsPriority, IsTaskKey } from './validators';

/** Fields of a task body that are neither Task(...) keywords nor arguments. */
const NOT_ARGS = new Set(['document_id', '_id']);

/** True when `args` is the only key of the body that is not a Task keyword (then it must be an object). */
function argsStandAlone(task: object): boolean {
  return !Object.entries(task).some(([k, v]) => v !== undefined && k !== 'args' && !TASK_KEYWORDS.includes(k) && !NOT_ARGS.has(k));
}

/**
 * The keywords of a task (Python `Task(...)`, docs/protocol.md, Task). Open by contract: every other key of the body
 * is an argument (the model builds `args` from them).
 */
export class TaskSpecDto {
  @ApiProperty({ description: 'Task key, upper-cased on assignment', example: 'ASR' })
  @IsTaskKey()
  key: string;

  @ApiPropertyOptional({ minimum: MIN_PRIORITY, maximum: MAX_PRIORITY, default: 1, description: 'int(priority), clamped to 0..10' })
  @IsPriority()
  priority?: number | string;

  @ApiPropertyOptional({ type: Object, description: 'Free-form task arguments; other keys of the body are arguments too' })
  @ValidateIf((task: object) => argsStandAlone(task))
  @IsOptionalObject('$property must be a JSON object')
  args?: unknown;

  @ApiPropertyOptional({
    type: [String],
    description: 'Keys of tasks on the same document that must be 200 first; the task waits in 412 until then',
    example: ['DOWNLOAD'],
  })
  @IsDependencyList()
  depends_on?: string[];

  @ApiHideProperty()
  @IsAbsent('Invalid task format: `_id` is assigned by the server and must not be sent')
  _id?: never;

  @ApiHideProperty() @Allow() state?: unknown;
  @ApiHideProperty() @Allow() msg?: unknown;
  @ApiHideProperty() @Allow() created_at?: unknown;
  @ApiHideProperty() @Allow() updated_at?: unknown;

  [argument: string]: unknown;
}

/**
 * Body of `POST /DANE/task/`: one document id (answer 201 with the task) or a list of them (answer
 * 200 with success/failed; bad ids are reported per element), plus the task's keywords.
 */
export class TaskAssignDto extends TaskSpecDto {
  @ApiProperty({
    description: 'One document id (answer 201 with the task) or a list of ids (answer 200 with success/failed)',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  })
  @IsDocumentIds()
  document_id: string | unknown[];
}

/**
 * A task body checked against TaskAssignDto. The web UI form `{"document_id", "task": {"key",
 * "priority"}}` is accepted: `task` is merged with the top-level keys, top level winning
 * (Task.from_json, docs/protocol.md, Task).
 */
export function validateTaskAssignment(input: unknown): TaskAssignDto {
  if (input instanceof TaskAssignDto) return input;
  if (!isPlainObject(input)) throw new ValidationError('Invalid task format: expected a JSON object with document_id and key');
  let fields = input;
  if ('task' in input) {
    const { task, ...top } = input;
    if (!isPlainObject(task)) throw new ValidationError('Invalid task format: `task` must be an object');
    fields = { ...task, ...top };
  }
  return validateBody(TaskAssignDto, fields, { notObject: 'Invalid task format: expected a JSON object with document_id and key' });
}

/** The keywords of one task checked against TaskSpecDto (dependencies declared by workers, tests). */
export function validateTaskSpec(input: unknown): TaskSpecDto {
  return validateBody(TaskSpecDto, input, { notObject: 'Invalid task format: a task must be a JSON object' });
}

/** `?cascade=` of the task actions: true/1 or false/0/empty. */
export class TaskActionQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: "Also put the task's dependants (tasks of the same document whose depends_on names its key, transitively) back to 412",
  })
  @Transform(({ value }) => cascadeFlag(value))
  @IsBooleanFlag()
  cascade?: boolean;
}

/** `GET /DANE/task/?needs_person=`: the unfinished tasks, or with the flag the tasks that need a person (or the others). */
export class UnfinishedTaskQueryDto extends KeysetPageQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'true: every task that needs a person — no automatic path will move it again: a manual state (400, 403, 404, 422, 500), ' +
      'an auto-retry state whose retries are spent ("retries spent (L of L)"), or 412 waiting for such a task — whatever its state. ' +
      'false: the unfinished tasks (not 200, not 412) that will still move by themselves.',
  })
  @Transform(({ value }) => cascadeFlag(value))
  @IsBooleanFlag()
  needs_person?: boolean;
}

const CASCADE_VALUES: Record<string, boolean> = { '': false, false: false, '0': false, true: true, '1': true };

function cascadeFlag(raw: unknown): unknown {
  return typeof raw === 'string' && Object.hasOwn(CASCADE_VALUES, raw) ? CASCADE_VALUES[raw] : raw;
}

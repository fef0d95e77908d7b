import { ApiPropertyOptional } from './api-doc';
import { Transform } from 'class-transformer';
import { IsOptional } from 'class-validator';
import { STATE_TABLE } from '../state/task-state';
import { PageQueryDto } from './page-query.dto';
import { IsStateList, IsTaskKey } from './validators';

/** `?state=500,ERROR&state=412` → [500, 412]: codes or names (any case), comma-separated or repeated. */
function toStates({ value }: { value: unknown }): unknown {
  if (value === undefined || value === '') return undefined;
  const parts = (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const codes = parts.map((part) => STATE_TABLE.find((s) => String(s.code) === part || s.name === part.toUpperCase())?.code ?? part);
  return [...new Set(codes)];
}

/** `?key=&state=&page=&size=` of a task list filtered by key and states (the dashboard's and `dane tasks`). */
export class TaskListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Task key, matched upper-cased' })
  @Transform(({ value }) => (value === '' ? undefined : value))
  @IsOptional()
  @IsTaskKey()
  key?: string;

  @ApiPropertyOptional({
    description: `Task states, codes or names, comma-separated or repeated: ${STATE_TABLE.map((s) => `${s.code} ${s.name}`).join(', ')}`,
    type: [String],
  })
  @Transform(toStates)
  @IsStateList()
  state?: number[];
}

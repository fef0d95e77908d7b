import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ValidationError } from '../errors/validation-error';
import { STATE_TABLE } from '../state/task-state';
import { ApiProperty, ApiPropertyOptional } from './api-doc';
import { validateBody } from './validation';
import { IsOptionalObject, IsRequiredObject, IsTaskKey } from './validators';

/** What a campaign does to what it selects (docs/protocol.md, Campaigns). */
export const CAMPAIGN_ACTIONS = ['assign', 'rerun'] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

/** A campaign's own state: feeding, paused by a person, cancelled, or done (nothing left to feed or finish). */
export const CAMPAIGN_STATUSES = ['running', 'paused', 'cancelled', 'done'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** The most ids a selection may list (the rest of a large selection is said by creator or pattern). */
export const MAX_CAMPAIGN_DOCUMENT_IDS = 100_000;
/** The largest `max_in_flight`. */
export const MAX_CAMPAIGN_IN_FLIGHT = 100_000;

const VERSION_PATTERN = /^[0-9]+(\.[0-9]+)*$/;

/** Results by the worker that made them: `generator.name` (upper-cased, as stored), `generator.version` exact or below a version. */
export class CampaignGeneratorSelectionDto {
  @ApiPropertyOptional({ description: 'The generator name of the results (matched upper-cased)', example: 'ASR_QUEUE' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  name?: string;

  @ApiPropertyOptional({ description: 'Exactly this generator.version', example: '1.4.2' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  version?: string;

  @ApiPropertyOptional({
    description: 'A generator.version numerically below this one (dotted numbers; a result without a version counts as older than any)',
    example: '2.0',
  })
  @IsOptional()
  @Matches(VERSION_PATTERN, { message: '$property must be dotted numbers like 2.0 or 1.10.3' })
  version_below?: string;
}

/** Which tasks (rerun) or documents (assign) a campaign takes: every given condition must hold. */
export class CampaignSelectionDto {
  @ApiProperty({ description: 'The task key', example: 'ASR' })
  @IsTaskKey()
  key: string;

  @ApiPropertyOptional({ description: 'Documents of this creator (wildcards `*` and `?`, as in the search routes)', example: 'NISV' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  creator_id?: string;

  @ApiPropertyOptional({ description: 'Documents whose target.id matches this pattern (`*` any run, `?` one character)', example: 'ITM*' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  target_id?: string;

  @ApiPropertyOptional({ type: [String], description: `Only these documents (at most ${MAX_CAMPAIGN_DOCUMENT_IDS})` })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CAMPAIGN_DOCUMENT_IDS)
  @IsString({ each: true })
  document_ids?: string[];

  @ApiPropertyOptional({ type: [Number], description: 'rerun only: tasks in these states (default every state but 102)', example: [500, 200] })
  @IsOptional()
  @IsArray()
  @IsIn(STATE_TABLE.map((s) => s.code), { each: true, message: `$property must hold task states (${STATE_TABLE.map((s) => s.code).join(', ')})` })
  states?: number[];

  @ApiPropertyOptional({ type: CampaignGeneratorSelectionDto, description: 'rerun only: tasks with a result of this generator' })
  @IsOptionalObject()
  @ValidateNested()
  @Type(() => CampaignGeneratorSelectionDto)
  generator?: CampaignGeneratorSelectionDto;
}

/** Body of `POST /DANE/campaigns/` (docs/protocol.md, Campaigns). */
export class CampaignCreateDto {
  @ApiProperty({ type: CampaignSelectionDto })
  @IsRequiredObject('$property is required and must be a JSON object')
  @ValidateNested()
  @Type(() => CampaignSelectionDto)
  selection: CampaignSelectionDto;

  @ApiProperty({ enum: CAMPAIGN_ACTIONS, description: '`assign`: the key to every selected document that has no task of it; `rerun`: every selected task runs again' })
  @IsIn(CAMPAIGN_ACTIONS, { message: `$property must be one of ${CAMPAIGN_ACTIONS.join(', ')}` })
  action: CampaignAction;

  @ApiPropertyOptional({ description: 'Answer the counts and a sample; store and change nothing', default: false })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;

  @ApiPropertyOptional({ description: 'At most this many of the campaign’s tasks unfinished (queued or running) at a time', default: 100, example: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CAMPAIGN_IN_FLIGHT)
  max_in_flight?: number;

  @ApiPropertyOptional({ description: 'A label for people', example: 'ASR 2.0 re-run' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'assign only: the priority of the assigned tasks (0..10)', default: 1 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  priority?: number;

  @ApiPropertyOptional({ type: Object, description: 'assign only: the args of the assigned tasks' })
  @IsOptionalObject()
  args?: Record<string, unknown>;
}

/** A campaign body checked against CampaignCreateDto; a ValidationError (400) names the field. */
export function validateCampaign(input: unknown): CampaignCreateDto {
  const dto = validateBody(CampaignCreateDto, input, { notObject: 'Invalid campaign: expected a JSON object with selection and action', closed: 'Invalid campaign' });
  const s = dto.selection;
  if (dto.action === 'assign') {
    const rerunOnly = (['states', 'generator'] as const).find((k) => s[k] !== undefined);
    if (rerunOnly) throw new ValidationError(`selection.${rerunOnly} selects existing tasks: it needs action rerun (assign selects documents without a task of the key)`);
  } else {
    const assignOnly = (['priority', 'args'] as const).find((k) => dto[k] !== undefined);
    if (assignOnly) throw new ValidationError(`${assignOnly} applies to assigned tasks: it needs action assign (rerun keeps each task's own)`);
  }
  const g = s.generator;
  if (g && g.name === undefined && g.version === undefined && g.version_below === undefined) {
    throw new ValidationError('selection.generator needs name, version or version_below');
  }
  if (g && g.version !== undefined && g.version_below !== undefined) throw new ValidationError('selection.generator takes version or version_below, not both');
  return dto;
}

// The answers of the /DANE/campaigns routes, shared by the server and @dane/client.

/** What a campaign selects, as the API answers it (docs/protocol.md, Campaigns); every given condition must hold. */
export interface CampaignSelectionView {
  /** The task key. */
  key: string;
  /** Documents of this creator (wildcards `*`, `?`). */
  creator_id?: string;
  /** Documents whose target.id matches (wildcards `*`, `?`). */
  target_id?: string;
  document_ids?: string[];
  /** rerun: tasks in these states (default every state but 102 and cancelled). */
  states?: number[];
  /** rerun: tasks with a result of this generator: name, and version exactly or below (dotted numbers). */
  generator?: { name?: string; version?: string; version_below?: string };
}

export interface CampaignCounts {
  matched: number;
  pending: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** GET /DANE/campaigns/<id>. */
export interface CampaignView {
  _id: string;
  name: string | null;
  action: CampaignAction;
  selection: CampaignSelectionView;
  max_in_flight: number;
  status: CampaignStatus;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  counts: CampaignCounts;
  in_flight: number;
  rate_per_minute: number;
  eta_seconds: number | null;
  priority?: number;
  args?: Record<string, unknown>;
}

/** The answer of a dry run: exact counts and the first items; nothing was stored or changed. */
export interface CampaignDryRun {
  dry_run: true;
  action: CampaignAction;
  selection: CampaignSelectionView;
  matched: number;
  /** rerun: the matched tasks by their state now. */
  by_state: Record<string, number>;
  sample: Array<{ document_id: string; task_id: string; state: number | null }>;
}

export interface CampaignCancelOutcome {
  campaign: CampaignView;
  unfinished_tasks: number;
  cancelled_tasks: number;
  message: string;
}

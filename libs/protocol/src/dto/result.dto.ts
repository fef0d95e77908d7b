import { ApiProperty, ApiPropertyOptional } from './api-doc';
import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { CREATOR_TYPES, CreatorType, isPlainObject } from '../model/vocabulary';
import { KeysetPageQueryDto } from './page-query.dto';
import { validateBody } from './validation';
import { IsGeneratorId, IsNonEmptyString, IsOneOf, IsOptionalString, IsRequiredObject } from './validators';
/** The worker that produced a result (docs/protocol.md, Result). Extra keys are kept. */
export class GeneratorDto {
  @ApiProperty({ example: 'a1b2c3d' })
  @IsGeneratorId()
  id: string | number;

  @ApiProperty({ example: 'ASR', description: 'Upper-cased' })
  @IsNonEmptyString()
  name: string;

  @ApiProperty({ enum: CREATOR_TYPES })
  @IsOneOf(CREATOR_TYPES)
  type: CreatorType;

  @ApiPropertyOptional({ nullable: true, example: 'https://github.com/beeldengeluid/dane-asr-worker' })
  @IsOptionalString()
  homepage?: string | null;

  [extra: string]: unknown;
}

/**
 * Body of `POST /DANE/result/` and `POST /DANE/task/<id>/result` (docs/protocol.md, Result); also accepted wrapped as
 * `{"result": {...}}`. Any other top-level key is refused.
 */
export class ResultCreateDto {
  @ApiPropertyOptional({ description: 'The task (required on POST /DANE/result/)' })
  @IsOptionalString()
  task_id?: string | null;

  @ApiProperty({ type: GeneratorDto })
  @IsRequiredObject()
  @ValidateNested()
  @Type(() => GeneratorDto)
  generator: GeneratorDto;

  @ApiProperty({ type: Object, example: { transcript: 'hello' } })
  @IsRequiredObject('$property is required and must be a JSON object')
  payload: Record<string, unknown>;
}

/** A result body checked against ResultCreateDto; a ValidationError (400) names the field. */
export function validateResult(input: unknown): ResultCreateDto {
  if (input instanceof ResultCreateDto) return input;
  const body = isPlainObject(input) && isPlainObject(input.result) && Object.keys(input).length === 1 ? input.result : input;
  return validateBody(ResultCreateDto, body, { notObject: 'Invalid result format: a result must be a JSON object', closed: 'Invalid result format' });
}

/** `GET /DANE/results/` filters (they combine); repeated parameters are refused. */
export class ResultQueryDto extends KeysetPageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() task_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() document_id?: string;
  @ApiPropertyOptional({ description: 'Matched upper-cased' }) @IsOptional() @IsString() task_key?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() creator_id?: string;
  @ApiPropertyOptional({ description: 'Matched upper-cased' }) @IsOptional() @IsString() generator_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() generator_id?: string;
}

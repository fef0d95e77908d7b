import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { CREATOR_TYPES } from '@dane/core';
import { PageQueryDto } from './page.dto';

export class GeneratorDto {
  @ApiProperty({ example: 'a1b2c3d' })
  id: string;
  @ApiProperty({ example: 'ASR', description: 'Upper-cased' })
  name: string;
  @ApiProperty({ enum: CREATOR_TYPES })
  type: string;
  @ApiPropertyOptional({ nullable: true, example: 'https://github.com/beeldengeluid/dane-asr-worker' })
  homepage?: string | null;
}

/**
 * Body of `POST /DANE/result/` and `POST /DANE/task/<id>/result`; checked by dane-core's
 * parseResultInput (§1.3 rules).
 */
export class ResultCreateDto {
  @ApiPropertyOptional({ description: 'The task (required on POST /DANE/result/)' })
  task_id?: string;
  @ApiProperty({ type: GeneratorDto })
  generator: GeneratorDto;
  @ApiProperty({ type: Object, example: { transcript: 'hello' } })
  payload: Record<string, unknown>;
}

/** Marshalled Result (§1.3); we know the timestamps and the task, so we send them. */
export class ResultDto {
  @ApiProperty()
  _id: string;
  @ApiProperty({ type: GeneratorDto })
  generator: GeneratorDto;
  @ApiProperty({ type: Object })
  payload: Record<string, unknown>;
  @ApiProperty({ nullable: true })
  created_at: string | null;
  @ApiProperty({ nullable: true })
  updated_at: string | null;
  @ApiProperty()
  task_id: string;
  @ApiProperty()
  document_id: string;
  @ApiProperty()
  task_key: string;
}

export class ResultQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() task_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() document_id?: string;
  @ApiPropertyOptional({ description: 'Matched upper-cased' }) @IsOptional() @IsString() task_key?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() creator_id?: string;
  @ApiPropertyOptional({ description: 'Matched upper-cased' }) @IsOptional() @IsString() generator_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() generator_id?: string;
}

export class ResultSearchResponseDto {
  @ApiProperty()
  total: number;
  @ApiProperty({ type: [ResultDto] })
  results: ResultDto[];
}

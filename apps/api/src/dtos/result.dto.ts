import { ApiProperty } from '@nestjs/swagger';
import { GeneratorDto } from '@dane/core';

/* Answers of the result routes, for the OpenAPI document; the request DTOs live in @dane/core. */

/** Marshalled Result (docs/protocol.md, Result); we know the timestamps and the task, so we send them. */
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

export class ResultSearchResponseDto {
  @ApiProperty()
  total: number;
  @ApiProperty({ type: [ResultDto] })
  results: ResultDto[];
}

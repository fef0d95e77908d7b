import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '@dane/core';

/* Answers of the key routes, for the OpenAPI document; the request DTO (ApiKeyCreateDto) lives in @dane/core. */

/** A key as listed: never its secret. */
export class ApiKeyDto {
  @ApiProperty({ example: '3f9a0c2b7d1e4a56', description: 'The public part of the key (`dane_<id>_<secret>`)' })
  id: string;
  @ApiProperty()
  name: string;
  @ApiProperty({ enum: ROLES })
  role: string;
  @ApiProperty({ example: '2026-11-24T12:00:00.000Z' })
  created_at: string;
  @ApiProperty({ nullable: true, description: 'Updated at most once a minute' })
  last_used_at: string | null;
}

/** Answer of `POST /DANE/keys/`: the only time the key itself is shown. */
export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ example: 'dane_3f9a0c2b7d1e4a56_…', description: 'The key; shown once, stored only as a salted hash' })
  key: string;
}

export class ApiKeyListDto {
  @ApiProperty()
  total: number;
  @ApiProperty({ type: [ApiKeyDto] })
  keys: ApiKeyDto[];
}

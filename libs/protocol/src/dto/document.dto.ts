import { ApiHideProperty, ApiProperty, ApiPropertyOptional } from './api-doc';
import { Type } from 'class-transformer';
import { Allow, IsOptional, IsString, ValidateNested } from 'class-validator';
import { CREATOR_TYPES, CreatorType, JsonScalar, TARGET_TYPES, TargetType } from '../model/vocabulary';
import { KeysetPageQueryDto } from './page-query.dto';
import { validateBody } from './validation';
import { IsAbsent, IsOneOf, IsRequiredObject, IsRequiredString, IsScalarId } from './validators';

/** The media item of a document (docs/protocol.md, Document). Extra keys are kept for the workers. */
export class TargetDto {
  @ApiProperty({
    description: 'Identifier of the media item (a JSON scalar; str() is used for the id)',
    example: 'ITM123',
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
  })
  @IsScalarId()
  id: JsonScalar;

  @ApiProperty({ description: 'Location of the media; normalised with requote_uri (docs/protocol.md, URL normalisation)', example: 'http://example.com/a b.mp4' })
  @IsRequiredString()
  url: string;

  @ApiProperty({ enum: TARGET_TYPES })
  @IsOneOf(TARGET_TYPES)
  type: TargetType;

  [extra: string]: unknown;
}

/** Who registered the document (docs/protocol.md, Document). Extra keys are kept for the workers. */
export class CreatorDto {
  @ApiProperty({ example: 'NISV', oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] })
  @IsScalarId()
  id: JsonScalar;

  @ApiProperty({ enum: CREATOR_TYPES })
  @IsOneOf(CREATOR_TYPES)
  type: CreatorType;

  [extra: string]: unknown;
}

/**
 * Body of `POST /DANE/document/` and one element of `POST /DANE/documents/` (docs/protocol.md, Document): target and
 * creator, extra keys inside them kept, any other top-level key refused, `_id` assigned by the server.
 */
export class DocumentCreateDto {
  @ApiProperty({ type: TargetDto })
  @IsRequiredObject()
  @ValidateNested()
  @Type(() => TargetDto)
  target: TargetDto;

  @ApiProperty({ type: CreatorDto })
  @IsRequiredObject()
  @ValidateNested()
  @Type(() => CreatorDto)
  creator: CreatorDto;

  @ApiHideProperty()
  @IsAbsent('Invalid document format: `_id` is assigned by the server and must not be sent')
  _id?: never;

  @ApiPropertyOptional({ description: 'Accepted and ignored: the server sets the timestamps' })
  @Allow()
  created_at?: unknown;

  @ApiPropertyOptional({ description: 'Accepted and ignored: the server sets the timestamps' })
  @Allow()
  updated_at?: unknown;
}

/** A document body checked against DocumentCreateDto; a ValidationError (400) names the field. */
export function validateDocument(input: unknown): DocumentCreateDto {
  return validateBody(DocumentCreateDto, input, {
    notObject: 'Invalid document format: a document must be a JSON object',
    closed: 'Invalid document format',
  });
}

/** `GET /DANE/search/document/`: wildcard patterns (`*`, `?`) on target.id and creator.id, paged. */
export class DocumentSearchQueryDto extends KeysetPageQueryDto {
  @ApiPropertyOptional({ description: 'Wildcard pattern on target.id (`*`, `?`; case-sensitive)', default: '*' })
  @IsOptional()
  @IsString()
  target_id?: string;

  @ApiPropertyOptional({ description: 'Wildcard pattern on creator.id', default: '*' })
  @IsOptional()
  @IsString()
  creator_id?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { CREATOR_TYPES, TARGET_TYPES } from '@dane/core';
import { PageQueryDto } from './page.dto';

export class TargetDto {
  @ApiProperty({ description: 'Identifier of the media item (a JSON scalar; str() is used for the id)', example: 'ITM123' })
  id: string;
  @ApiProperty({ description: 'Location of the media; normalised with requote_uri (§1.6)', example: 'http://example.com/a b.mp4' })
  url: string;
  @ApiProperty({ enum: TARGET_TYPES })
  type: string;
}

export class CreatorDto {
  @ApiProperty({ example: 'NISV' })
  id: string;
  @ApiProperty({ enum: CREATOR_TYPES })
  type: string;
}

/**
 * Body of `POST /DANE/document/`. Lenient by contract (extra target/creator keys are kept), so it is
 * checked by dane-core's createDocument, not by class-validator.
 */
export class DocumentCreateDto {
  @ApiProperty({ type: TargetDto })
  target: TargetDto;
  @ApiProperty({ type: CreatorDto })
  creator: CreatorDto;
}

/** Marshalled Document (§1.1 REST form). */
export class DocumentDto {
  @ApiProperty({ description: 'sha1(str(target.id) + str(creator.id))', example: '5bd2b0d28a5b2bbd3a8be5a7e39f8cbf1ed6be10' })
  _id: string;
  @ApiProperty({ type: TargetDto })
  target: TargetDto;
  @ApiProperty({ type: CreatorDto })
  creator: CreatorDto;
  @ApiProperty({ example: '2024-05-13T10:11:12', nullable: true })
  created_at: string | null;
  @ApiProperty({ example: '2024-05-13T10:11:12', nullable: true })
  updated_at: string | null;
}

/** Python `Document.to_json()` (§1.1), answered by `GET /DANE/documents/`. */
export class DocumentJsonDto {
  @ApiProperty({ type: Object })
  target: Record<string, unknown>;
  @ApiProperty({ type: Object })
  creator: Record<string, unknown>;
  @ApiProperty({ nullable: true })
  created_at: string | null;
  @ApiProperty({ nullable: true })
  updated_at: string | null;
  @ApiProperty()
  _id: string;
}

export class DocumentFailureDto {
  @ApiProperty({ description: 'Position of the element in the request list' })
  index: number;
  @ApiProperty({ type: DocumentDto, nullable: true, description: 'The document as built, null when the element was invalid' })
  document: DocumentDto | null;
  @ApiProperty({ description: 'The element as sent when it was invalid, else {"*": null}', type: Object })
  invalid: unknown;
  @ApiProperty({ example: 'A document with target.id `ITM123`, and creator.id `NISV` already exists' })
  error: string;
}

export class DocumentBulkResponseDto {
  @ApiProperty({ type: [DocumentDto] })
  success: DocumentDto[];
  @ApiProperty({ type: [DocumentFailureDto] })
  failed: DocumentFailureDto[];
}

export class DocumentSearchQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Wildcard pattern on target.id (`*`, `?`; case-sensitive)', default: '*' })
  @IsOptional()
  @IsString()
  target_id?: string;

  @ApiPropertyOptional({ description: 'Wildcard pattern on creator.id', default: '*' })
  @IsOptional()
  @IsString()
  creator_id?: string;
}

export class DocumentSearchResponseDto {
  @ApiProperty()
  total: number;
  @ApiProperty({ type: [DocumentDto] })
  hits: DocumentDto[];
}

/** Legacy 0.2 search answer (§5.7): `{_id, target, creator}` per hit. */
export class LegacyDocumentHitDto {
  @ApiProperty()
  _id: string;
  @ApiProperty({ type: TargetDto })
  target: TargetDto;
  @ApiProperty({ type: CreatorDto })
  creator: CreatorDto;
}

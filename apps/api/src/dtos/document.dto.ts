import { ApiProperty } from '@nestjs/swagger';
import { CreatorDto, TargetDto } from '@dane/core';

/* Answers of the document routes, for the OpenAPI document; the request DTOs live in @dane/core. */

/** Marshalled Document (the view of docs/protocol.md, Document). */
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

/** Python `Document.to_json()` (docs/protocol.md, Document), answered by `GET /DANE/documents/`. */
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

export class DocumentSearchResponseDto {
  @ApiProperty()
  total: number;
  @ApiProperty({ type: [DocumentDto] })
  hits: DocumentDto[];
}

/** Legacy 0.2 search answer (docs/protocol.md, Legacy routes): `{_id, target, creator}` per hit. */
export class LegacyDocumentHitDto {
  @ApiProperty()
  _id: string;
  @ApiProperty({ type: TargetDto })
  target: TargetDto;
  @ApiProperty({ type: CreatorDto })
  creator: CreatorDto;
}

/** The seed's `GET /DANE/search/<target_id>/<creator_id>` (docs/protocol.md, Legacy routes): the original's `{"documents": [ids]}`. */
export class DocumentIdsDto {
  @ApiProperty({ type: [String], description: 'Ids of the documents whose target.id and creator.id match, oldest first (this page)' })
  documents: string[];
}

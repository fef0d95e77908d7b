import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DocumentSearchQueryDto, documentView, DocumentService, pageOf } from '@dane/core';
import { DocumentSearchResponseDto } from '../dtos/document.dto';
import { ErrorResponseDto } from '../dtos/error.dto';

@ApiTags('search')
@Controller('DANE/search')
export class SearchController {
  constructor(private readonly documents: DocumentService) {}

  @Get('document')
  @ApiOperation({ summary: 'Documents by wildcard patterns on target.id and creator.id (docs/protocol.md, Creator and search routes), paged' })
  @ApiOkResponse({ type: DocumentSearchResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async searchDocuments(@Query() q: DocumentSearchQueryDto) {
    const page = await this.documents.search({ targetId: q.target_id, creatorId: q.creator_id }, pageOf(q));
    return { total: page.total, hits: page.items.map(documentView) };
  }
}

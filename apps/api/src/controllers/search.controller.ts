import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DocumentSearchQueryDto, documentView, DocumentService, pageOf } from '@dane/core';
import { DocumentSearchResponseDto } from '../dtos/document.dto';
import { ErrorResponseDto } from '../dtos/error.dto';
import { CURSOR_PAGING_HEADERS, setPagingHeaders } from '../http/paged-response';

@ApiTags('search')
@Controller('DANE/search')
export class SearchController {
  constructor(private readonly documents: DocumentService) {}

  @Get('document')
  @ApiOperation({ summary: 'Documents by wildcard patterns on target.id and creator.id (docs/protocol.md, Creator and search routes), paged by cursor or page' })
  @ApiOkResponse({ type: DocumentSearchResponseDto, headers: CURSOR_PAGING_HEADERS })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async searchDocuments(@Query() q: DocumentSearchQueryDto, @Res({ passthrough: true }) res: Response) {
    const page = await this.documents.search({ targetId: q.target_id, creatorId: q.creator_id }, pageOf(q));
    setPagingHeaders(res, page, true);
    return { total: page.total, hits: page.items.map(documentView) };
  }
}

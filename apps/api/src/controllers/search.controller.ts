import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DocumentSearchQueryDto, documentView, DocumentService, KeysetPageQueryDto, pageOf } from '@dane/core';
import { DocumentIdsDto, DocumentSearchResponseDto } from '../dtos/document.dto';
import { ErrorResponseDto } from '../dtos/error.dto';
import { CURSOR_PAGING_HEADERS, cursorPagedList, setPagingHeaders } from '../http/paged-response';

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

  // Two segments: `/DANE/search/document/` (one segment) never reaches this route.
  @Get(':target_id/:creator_id')
  @ApiOperation({
    summary: 'The seed route (docs/protocol.md, Legacy routes): {"documents": [ids]} of the documents with this target.id and creator.id, paged by cursor or page',
    description:
      'As the original DANE server answered it. Both segments take the wildcards of the other search routes (`*` any run, `?` one character); without them they match exactly. Total in X-Total-Count, next page in Link.',
  })
  @ApiOkResponse({ type: DocumentIdsDto, headers: CURSOR_PAGING_HEADERS })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad page, size or cursor' })
  async documentIds(@Param('target_id') targetId: string, @Param('creator_id') creatorId: string, @Query() q: KeysetPageQueryDto, @Res({ passthrough: true }) res: Response) {
    return { documents: cursorPagedList(res, await this.documents.search({ targetId, creatorId }, pageOf(q)), (d) => d._id) };
  }
}

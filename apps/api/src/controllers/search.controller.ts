import { Controller, Get, Query, UsePipes } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { documentView, DocumentService, pageRequest } from '@dane/core';
import { DocumentSearchQueryDto, DocumentSearchResponseDto } from '../dtos/document.dto';
import { ErrorResponseDto } from '../dtos/error.dto';
import { dtoValidationPipe } from '../http/dto-validation.pipe';

@ApiTags('search')
@Controller('DANE/search')
@UsePipes(dtoValidationPipe)
export class SearchController {
  constructor(private readonly documents: DocumentService) {}

  @Get('document')
  @ApiOperation({ summary: 'Documents by wildcard patterns on target.id and creator.id (§2.4 Q5), paged' })
  @ApiOkResponse({ type: DocumentSearchResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async searchDocuments(@Query() q: DocumentSearchQueryDto) {
    const page = await this.documents.search({ targetId: q.target_id, creatorId: q.creator_id }, pageRequest(q.page, q.size));
    return { total: page.total, hits: page.items.map(documentView) };
  }
}

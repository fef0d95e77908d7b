import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { pageOf, ResultQueryDto, ResultService, resultView } from '@dane/core';
import { ErrorResponseDto } from '../dtos/error.dto';
import { ResultSearchResponseDto } from '../dtos/result.dto';
import { CURSOR_PAGING_HEADERS, setPagingHeaders } from '../http/paged-response';

@ApiTags('results')
@Controller('DANE/results')
export class ResultsController {
  constructor(private readonly results: ResultService) {}

  @Get()
  @ApiOperation({ summary: 'Results filtered by task, document, task key, creator or generator (filters combine), paged by cursor or page (docs/protocol.md, Conventions)' })
  @ApiOkResponse({ type: ResultSearchResponseDto, headers: CURSOR_PAGING_HEADERS })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async find(@Query() q: ResultQueryDto, @Res({ passthrough: true }) res: Response) {
    const page = await this.results.find(
      {
        taskId: q.task_id,
        documentId: q.document_id,
        taskKey: q.task_key,
        creatorId: q.creator_id,
        generatorName: q.generator_name,
        generatorId: q.generator_id,
      },
      pageOf(q),
    );
    setPagingHeaders(res, page, true);
    return { total: page.total, results: page.items.map(resultView) };
  }
}

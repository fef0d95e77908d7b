import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { pageOf, ResultQueryDto, ResultService, resultView } from '@dane/core';
import { ErrorResponseDto } from '../dtos/error.dto';
import { ResultSearchResponseDto } from '../dtos/result.dto';

@ApiTags('results')
@Controller('DANE/results')
export class ResultsController {
  constructor(private readonly results: ResultService) {}

  @Get()
  @ApiOperation({ summary: 'Results filtered by task, document, task key, creator or generator (filters combine), paged' })
  @ApiOkResponse({ type: ResultSearchResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async find(@Query() q: ResultQueryDto) {
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
    return { total: page.total, results: page.items.map(resultView) };
  }
}

import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { documentView, DocumentService, PageQueryDto, pageOf, ResultService, resultView, TaskService, taskView } from '@dane/core';
import { DocumentDto } from '../dtos/document.dto';
import { ResultDto } from '../dtos/result.dto';
import { TaskDto } from '../dtos/task.dto';
import { pagedList, TOTAL_COUNT_HEADERS } from '../http/paged-response';

/** A creator id serves as a batch id (docs/protocol.md, Creator and search routes; docs/architecture.md, Weaknesses of the original, item 10). */
@ApiTags('creator')
@Controller('DANE/creator')
export class CreatorController {
  constructor(
    private readonly documents: DocumentService,
    private readonly tasks: TaskService,
    private readonly results: ResultService,
  ) {}

  @Get(':creator_id/docs')
  @ApiOperation({ summary: 'Documents of a creator, paged' })
  @ApiOkResponse({ type: [DocumentDto], headers: TOTAL_COUNT_HEADERS })
  async docs(@Param('creator_id') creatorId: string, @Query() q: PageQueryDto, @Res({ passthrough: true }) res: Response) {
    return pagedList(res, await this.documents.ofCreator(creatorId, pageOf(q)), documentView);
  }

  @Get(':creator_id/:task_key/tasks')
  @ApiOperation({ summary: 'Tasks of a key on the documents of a creator, paged' })
  @ApiOkResponse({ type: [TaskDto], headers: TOTAL_COUNT_HEADERS })
  async tasksOf(@Param('creator_id') creatorId: string, @Param('task_key') taskKey: string, @Query() q: PageQueryDto, @Res({ passthrough: true }) res: Response) {
    return pagedList(res, await this.tasks.ofCreator(creatorId, taskKey, pageOf(q)), taskView);
  }

  @Get(':creator_id/:task_key/results')
  @ApiOperation({ summary: 'Results of the tasks of a key on the documents of a creator, paged' })
  @ApiOkResponse({ type: [ResultDto], headers: TOTAL_COUNT_HEADERS })
  async resultsOf(@Param('creator_id') creatorId: string, @Param('task_key') taskKey: string, @Query() q: PageQueryDto, @Res({ passthrough: true }) res: Response) {
    return pagedList(res, await this.results.ofCreator(creatorId, taskKey, pageOf(q)), resultView);
  }
}

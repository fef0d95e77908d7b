import { Controller, Get, Param, Query, Res, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { documentView, DocumentService, pageRequest, ResultService, resultView, TaskService, taskView } from '@dane/core';
import { DocumentDto } from '../dtos/document.dto';
import { PageQueryDto, TOTAL_COUNT_HEADERS } from '../dtos/page.dto';
import { ResultDto } from '../dtos/result.dto';
import { TaskDto } from '../dtos/task.dto';
import { dtoValidationPipe } from '../http/dto-validation.pipe';
import { pagedList } from '../http/paged-response';

/** A creator id serves as a batch id (§2.4 Q8, §7 item 10). */
@ApiTags('creator')
@Controller('DANE/creator')
@UsePipes(dtoValidationPipe)
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
    return pagedList(res, await this.documents.ofCreator(creatorId, pageRequest(q.page, q.size)), documentView);
  }

  @Get(':creator_id/:task_key/tasks')
  @ApiOperation({ summary: 'Tasks of a key on the documents of a creator, paged' })
  @ApiOkResponse({ type: [TaskDto], headers: TOTAL_COUNT_HEADERS })
  async tasksOf(@Param('creator_id') creatorId: string, @Param('task_key') taskKey: string, @Query() q: PageQueryDto, @Res({ passthrough: true }) res: Response) {
    return pagedList(res, await this.tasks.ofCreator(creatorId, taskKey, pageRequest(q.page, q.size)), taskView);
  }

  @Get(':creator_id/:task_key/results')
  @ApiOperation({ summary: 'Results of the tasks of a key on the documents of a creator, paged' })
  @ApiOkResponse({ type: [ResultDto], headers: TOTAL_COUNT_HEADERS })
  async resultsOf(@Param('creator_id') creatorId: string, @Param('task_key') taskKey: string, @Query() q: PageQueryDto, @Res({ passthrough: true }) res: Response) {
    return pagedList(res, await this.results.ofCreator(creatorId, taskKey, pageRequest(q.page, q.size)), resultView);
  }
}

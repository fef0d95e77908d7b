import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { documentView, DocumentService, KeysetPageQueryDto, pageOf, ResultService, resultView, TaskService, taskView } from '@dane/core';
import { DocumentDto } from '../dtos/document.dto';
import { ResultDto } from '../dtos/result.dto';
import { TaskDto } from '../dtos/task.dto';
import { CURSOR_PAGING_HEADERS, cursorPagedList } from '../http/paged-response';

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
  @ApiOperation({ summary: 'Documents of a creator, paged by cursor or page (docs/protocol.md, Conventions)' })
  @ApiOkResponse({ type: [DocumentDto], headers: CURSOR_PAGING_HEADERS })
  async docs(@Param('creator_id') creatorId: string, @Query() q: KeysetPageQueryDto, @Res({ passthrough: true }) res: Response) {
    return cursorPagedList(res, await this.documents.ofCreator(creatorId, pageOf(q)), documentView);
  }

  @Get(':creator_id/:task_key/tasks')
  @ApiOperation({ summary: 'Tasks of a key on the documents of a creator, paged by cursor or page' })
  @ApiOkResponse({ type: [TaskDto], headers: CURSOR_PAGING_HEADERS })
  async tasksOf(@Param('creator_id') creatorId: string, @Param('task_key') taskKey: string, @Query() q: KeysetPageQueryDto, @Res({ passthrough: true }) res: Response) {
    return cursorPagedList(res, await this.tasks.ofCreator(creatorId, taskKey, pageOf(q)), taskView);
  }

  @Get(':creator_id/:task_key/results')
  @ApiOperation({ summary: 'Results of the tasks of a key on the documents of a creator, paged by cursor or page' })
  @ApiOkResponse({ type: [ResultDto], headers: CURSOR_PAGING_HEADERS })
  async resultsOf(@Param('creator_id') creatorId: string, @Param('task_key') taskKey: string, @Query() q: KeysetPageQueryDto, @Res({ passthrough: true }) res: Response) {
    return cursorPagedList(res, await this.results.ofCreator(creatorId, taskKey, pageOf(q)), resultView);
  }
}

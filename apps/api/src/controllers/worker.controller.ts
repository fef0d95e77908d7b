import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { KeysetPageQueryDto, PageQueryDto, pageOf, TaskActionService, TaskService, taskView, WorkerQueueService } from '@dane/core';
import { ErrorResponseDto } from '../dtos/error.dto';
import { ErroredTasksDto, MassResetDto, WorkerQueueDto } from '../dtos/worker.dto';
import { CURSOR_PAGING_HEADERS, pagedList, setPagingHeaders, TOTAL_COUNT_HEADERS } from '../http/paged-response';

@ApiTags('workers')
@Controller('DANE/workers')
export class WorkerController {
  constructor(
    private readonly queues: WorkerQueueService,
    private readonly tasks: TaskService,
    private readonly actions: TaskActionService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Worker queues with their consumers and waiting messages (RabbitMQ management API; docs/protocol.md, Worker routes)' })
  @ApiOkResponse({ type: [WorkerQueueDto], headers: TOTAL_COUNT_HEADERS })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Management API disabled (RABBITMQ.MANAGEMENT) or unreachable' })
  async list(@Query() q: PageQueryDto, @Res({ passthrough: true }) res: Response) {
    return pagedList(res, await this.queues.list(pageOf(q)), (queue) => queue);
  }

  @Get(':task_key')
  @ApiOperation({ summary: 'Tasks of a key that errored or wait for a person (not 102/200/201/412), paged by cursor or page' })
  @ApiOkResponse({ type: ErroredTasksDto, headers: CURSOR_PAGING_HEADERS })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async errored(@Param('task_key') taskKey: string, @Query() q: KeysetPageQueryDto, @Res({ passthrough: true }) res: Response) {
    const page = await this.tasks.erroredOfKey(taskKey, pageOf(q));
    setPagingHeaders(res, page, true);
    return { total: page.total, tasks: page.items.map(taskView) };
  }

  @Get(':task_key/reset')
  @ApiOperation({ summary: 'Mass reset: every task of the key in 500 → 205 "Manual reset"' })
  @ApiOkResponse({ type: MassResetDto })
  async massReset(@Param('task_key') taskKey: string) {
    return this.actions.massReset(taskKey);
  }

  @Get(':task_key/reset/:state')
  @ApiOperation({ summary: 'Mass reset: every task of the key in <state> → 205 "Manual reset"' })
  @ApiOkResponse({ type: MassResetDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not a task state' })
  async massResetState(@Param('task_key') taskKey: string, @Param('state') state: string) {
    return this.actions.massReset(taskKey, state);
  }
}

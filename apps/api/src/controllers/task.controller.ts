import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  cancelSummaryView,
  documentView,
  KeysetPageQueryDto,
  pageOf,
  parseTaskAction,
  ResultCreateDto,
  ResultService,
  resultView,
  TaskActionQueryDto,
  TaskActionService,
  TaskAssignDto,
  TaskAssignmentService,
  TaskCancelDto,
  TaskCancellationService,
  TaskService,
  taskToJson,
  taskView,
  UnfinishedTaskQueryDto,
  validateResult,
  validateTaskAssignment,
  validateTaskCancel,
} from '@dane/core';
import { DocumentDto } from '../dtos/document.dto';
import { ErrorResponseDto } from '../dtos/error.dto';
import { ResultDto } from '../dtos/result.dto';
import { InProgressDto, TaskBulkResponseDto, TaskCancelResponseDto, TaskCancelSummaryDto, TaskDto, TaskJsonDto } from '../dtos/task.dto';
import { EMPTY_JSON_STRING } from '../http/empty-json';
import { CURSOR_PAGING_HEADERS, cursorPagedList } from '../http/paged-response';
import { BodyPipe } from '../http/validation.pipe';
import { noteCreatedId } from '../ops/request-log-fields';

// Route order matters: literal segments (inprogress, delete, document, results, result) come
// before the `:id/:action` catch-all.
@ApiTags('task')
@Controller('DANE/task')
export class TaskController {
  constructor(
    private readonly tasks: TaskService,
    private readonly assignment: TaskAssignmentService,
    private readonly actions: TaskActionService,
    private readonly results: ResultService,
    private readonly cancellation: TaskCancellationService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Assign a task: one document_id → 201 with the task; a list → 200 {success, failed}',
    description: 'A task whose depends_on keys are not all 200 on the document is stored in 412 and released when they are.',
  })
  @ApiBody({ type: TaskAssignDto })
  @ApiCreatedResponse({ type: TaskDto })
  @ApiOkResponse({ type: TaskBulkResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown document' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Task `KEY` already assigned to document `id`' })
  async assign(@Body(new BodyPipe(validateTaskAssignment)) body: TaskAssignDto, @Res({ passthrough: true }) res: Response) {
    const outcome = await this.assignment.assign(body);
    if (!outcome.many) {
      noteCreatedId(res, 'task_id', outcome.task._id);
      return taskView(outcome.task);
    }
    res.status(200);
    return { success: outcome.success.map(taskView), failed: outcome.failed };
  }

  @Get()
  @ApiOperation({
    summary: 'Unfinished tasks (not 200, not 412) as Task.to_json with integer states, paged by cursor or page (docs/protocol.md, Conventions)',
    description:
      '`?needs_person=true`: instead, every task that needs a person (a manual state, retries spent, or 412 blocked by such a task; ' +
      'docs/protocol.md, Needs a person); `?needs_person=false`: the unfinished tasks that will still move by themselves.',
  })
  @ApiOkResponse({ type: [TaskJsonDto], headers: CURSOR_PAGING_HEADERS })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad page, size, cursor or needs_person' })
  async unfinished(@Query() q: UnfinishedTaskQueryDto, @Res({ passthrough: true }) res: Response) {
    return cursorPagedList(res, await this.tasks.unfinished(pageOf(q), q.needs_person), taskToJson);
  }

  @Get('inprogress')
  @ApiOperation({
    summary: 'Legacy 0.2 (docs/protocol.md, Legacy routes): ids of the in-progress tasks, or tasks which have errored — every task not in 200 or 412 — paged by cursor or page',
    description: 'The same tasks as GET /DANE/task/, answered as the original did: {"tasks": [ids]}; total in X-Total-Count, next page in Link.',
  })
  @ApiOkResponse({ type: InProgressDto, headers: CURSOR_PAGING_HEADERS })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad page, size or cursor' })
  async inProgress(@Query() q: KeysetPageQueryDto, @Res({ passthrough: true }) res: Response) {
    return { tasks: cursorPagedList(res, await this.tasks.inProgress(pageOf(q)), (t) => t._id) };
  }

  @Get(':id')
  @ApiOkResponse({ type: TaskDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id') id: string) {
    return taskView(await this.tasks.get(id));
  }

  @Delete(':id')
  @Header('Content-Type', 'application/json')
  @ApiOperation({ summary: 'Delete a task and its results; answers ""' })
  @ApiOkResponse({ schema: { type: 'string', example: '' } })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@Param('id') id: string) {
    await this.tasks.delete(id);
    return EMPTY_JSON_STRING;
  }

  @Get(':id/delete')
  @Header('Content-Type', 'application/json')
  @ApiOperation({ summary: 'Legacy 0.2 alias of DELETE /DANE/task/<id> (docs/protocol.md, Legacy routes)' })
  @ApiOkResponse({ schema: { type: 'string', example: '' } })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async legacyDelete(@Param('id') id: string) {
    await this.tasks.delete(id);
    return EMPTY_JSON_STRING;
  }

  @Get(':id/document')
  @ApiOkResponse({ type: DocumentDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async documentOf(@Param('id') id: string) {
    return documentView(await this.tasks.documentOf(id));
  }

  @Get(':id/results')
  @ApiOperation({ summary: 'Results of a task, paged by cursor or page' })
  @ApiOkResponse({ type: [ResultDto], headers: CURSOR_PAGING_HEADERS })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async resultsOf(@Param('id') id: string, @Query() q: KeysetPageQueryDto, @Res({ passthrough: true }) res: Response) {
    return cursorPagedList(res, await this.results.ofTask(id, pageOf(q)), resultView);
  }

  @Post(':id/result')
  @HttpCode(201)
  @ApiOperation({ summary: 'Store a result {generator, payload} for the task' })
  @ApiBody({ type: ResultCreateDto })
  @ApiCreatedResponse({ type: ResultDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async saveResult(@Param('id') id: string, @Body(new BodyPipe(validateResult)) body: ResultCreateDto) {
    return resultView(await this.results.save(body, id));
  }

  @Post('cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel every task a filter selects (key, states, creator, document_ids, task_ids; AND; at least one of key, creator, document_ids, task_ids)',
    description:
      'Each selected task not done (200) and not cancelled already → 499 CANCELLED; an SDK worker running one is told through task.<KEY>.499 and sees ctx.signal aborted. ' +
      '?cascade=true also cancels their dependants on the same document (transitively); without it, 412 dependants say `blocked by KEY: cancelled`. ' +
      'Answers counts and ids (docs/protocol.md, Cancellation).',
  })
  @ApiBody({ type: TaskCancelDto })
  @ApiOkResponse({ type: TaskCancelSummaryDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'No selecting criterion, or a bad field' })
  async cancelMany(@Body(new BodyPipe(validateTaskCancel)) body: TaskCancelDto, @Query() q: TaskActionQueryDto) {
    const summary = await this.cancellation.cancelMany(
      { key: body.key, states: body.states, creatorId: body.creator, documentIds: body.document_ids, taskIds: body.task_ids },
      { cascade: q.cascade ?? false },
    );
    return cancelSummaryView(summary);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a task: → 499 CANCELLED, terminal; a later reply or result of it changes nothing',
    description:
      'Allowed from every state but 200 and 499 (409 names the state). A task in 102 on an SDK worker: the worker is told through the DANE-event task.<KEY>.499 and its ' +
      'callback sees ctx.signal aborted. ?cascade=true also cancels the dependants on the same document (transitively); without it, 412 dependants say ' +
      '`blocked by KEY: cancelled` and count as needing a person. retry, forceretry and reset run a cancelled task again (docs/protocol.md, Cancellation).',
  })
  @ApiOkResponse({ type: TaskCancelResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No task with id `<id>` found' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The task is done (200) or cancelled already' })
  async cancel(@Param('id') id: string, @Query() q: TaskActionQueryDto) {
    const outcome = await this.cancellation.cancel(id, { cascade: q.cascade ?? false });
    return { task: taskView(outcome.task), cascaded: outcome.cascaded, blocked: outcome.blocked };
  }

  @Get(':id/:action')
  @ApiOperation({
    summary: 'retry | forceretry | reset (case-insensitive); answers the task re-read after the action',
    description: 'retry refuses tasks in 102 or 200 (409); forceretry takes any state; reset → 201 "Reset". ?cascade=true also puts the dependants back to 412.',
  })
  @ApiOkResponse({ type: TaskDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Unknown action' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'retry of a task in 102 or 200' })
  async act(@Param('id') id: string, @Param('action') action: string, @Query() q: TaskActionQueryDto) {
    return taskView(await this.actions.apply(id, parseTaskAction(action), { cascade: q.cascade ?? false }));
  }

  @Post(':id/:action')
  @HttpCode(200)
  @ApiOperation({ summary: 'Same as GET /DANE/task/<id>/<action>' })
  @ApiOkResponse({ type: TaskDto })
  async actByPost(@Param('id') id: string, @Param('action') action: string, @Query() q: TaskActionQueryDto) {
    return this.act(id, action, q);
  }
}

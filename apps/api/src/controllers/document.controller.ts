import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DocumentCreateDto, documentView, DocumentService, KeysetPageQueryDto, pageOf, taskView, TaskService, validateDocument } from '@dane/core';
import { DocumentDto, LegacyDocumentHitDto } from '../dtos/document.dto';
import { ErrorResponseDto } from '../dtos/error.dto';
import { TaskDto } from '../dtos/task.dto';
import { EMPTY_JSON_STRING } from '../http/empty-json';
import { CURSOR_PAGING_HEADERS, cursorPagedList } from '../http/paged-response';
import { BodyPipe } from '../http/validation.pipe';
import { noteCreatedId } from '../ops/request-log-fields';

@ApiTags('document')
@Controller('DANE/document')
export class DocumentController {
  constructor(
    private readonly documents: DocumentService,
    private readonly tasks: TaskService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Register a document (answers 200, as the original; docs/protocol.md, Differences from the Python server)' })
  @ApiBody({ type: DocumentCreateDto })
  @ApiOkResponse({ type: DocumentDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A document with the same target.id and creator.id exists' })
  async register(@Body(new BodyPipe(validateDocument)) body: DocumentCreateDto, @Res({ passthrough: true }) res: Response) {
    const doc = await this.documents.register(body);
    noteCreatedId(res, 'document_id', doc._id);
    return documentView(doc);
  }

  @Get('search/:target_id/:creator_id')
  @ApiOperation({ summary: 'Legacy 0.2 search (docs/protocol.md, Legacy routes): wildcard patterns, list of {_id, target, creator}, paged by cursor or page' })
  @ApiOkResponse({ type: [LegacyDocumentHitDto], headers: CURSOR_PAGING_HEADERS })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad page, size or cursor' })
  async legacySearch(@Param('target_id') targetId: string, @Param('creator_id') creatorId: string, @Query() q: KeysetPageQueryDto, @Res({ passthrough: true }) res: Response) {
    const page = await this.documents.search({ targetId, creatorId }, pageOf(q));
    return cursorPagedList(res, page, (d) => {
      const { _id, target, creator } = documentView(d);
      return { _id, target, creator };
    });
  }

  @Get(':id')
  @ApiOkResponse({ type: DocumentDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id') id: string) {
    return documentView(await this.documents.get(id));
  }

  @Delete(':id')
  @Header('Content-Type', 'application/json')
  @ApiOperation({ summary: 'Delete a document with its tasks and results; answers ""' })
  @ApiOkResponse({ schema: { type: 'string', example: '' } })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@Param('id') id: string) {
    await this.documents.delete(id);
    return EMPTY_JSON_STRING;
  }

  @Get(':id/delete')
  @Header('Content-Type', 'application/json')
  @ApiOperation({ summary: 'Legacy 0.2 alias of DELETE /DANE/document/<id> (docs/protocol.md, Legacy routes)' })
  @ApiOkResponse({ schema: { type: 'string', example: '' } })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async legacyDelete(@Param('id') id: string) {
    await this.documents.delete(id);
    return EMPTY_JSON_STRING;
  }

  @Get(':id/tasks')
  @ApiOperation({ summary: 'Tasks of a document, paged by cursor or page (total in X-Total-Count)' })
  @ApiOkResponse({ type: [TaskDto], headers: CURSOR_PAGING_HEADERS })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async tasksOf(@Param('id') id: string, @Query() q: KeysetPageQueryDto, @Res({ passthrough: true }) res: Response) {
    return cursorPagedList(res, await this.tasks.ofDocument(id, pageOf(q)), taskView);
  }
}

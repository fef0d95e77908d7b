import { Body, Controller, Delete, Get, Header, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DocumentCreateDto, documentToJson, documentView, DocumentService } from '@dane/core';
import { DocumentBulkResponseDto, DocumentJsonDto } from '../dtos/document.dto';
import { ErrorResponseDto } from '../dtos/error.dto';
import { EMPTY_JSON_STRING } from '../http/empty-json';
import { idList } from '../http/id-list';
import { TOTAL_COUNT_HEADERS } from '../http/paged-response';

@ApiTags('documents')
@Controller('DANE/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Register many documents; elements are objects or JSON strings encoding one. Never fails as a whole for one bad element.' })
  @ApiBody({ type: [DocumentCreateDto] })
  @ApiOkResponse({ type: DocumentBulkResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'The body is not a JSON list' })
  async registerMany(@Body() body: unknown) {
    const { success, failed } = await this.documents.registerMany(body);
    return {
      success: success.map(documentView),
      failed: failed.map((f) => ({ index: f.index, document: f.document && documentView(f.document), invalid: f.document ? { '*': null } : f.invalid, error: f.error })),
    };
  }

  @Get()
  @ApiOperation({ summary: 'Several documents by id: ?doc=a&doc=b, ?doc[]=a or ?doc=a,b (Document.to_json form)' })
  @ApiQuery({ name: 'doc', type: [String], required: true })
  @ApiOkResponse({ type: [DocumentJsonDto], headers: TOTAL_COUNT_HEADERS })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Any id unknown' })
  async getMany(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const docs = await this.documents.getMany(idList(query, 'doc'));
    res.setHeader('X-Total-Count', String(docs.length));
    return docs.map(documentToJson);
  }

  @Delete()
  @Header('Content-Type', 'application/json')
  @ApiOperation({ summary: 'Delete several documents: ?docs=a,b or ?docs=a&docs=b; unknown ids are ignored. X-Deleted-Count says how many went.' })
  @ApiQuery({ name: 'docs', type: [String], required: true })
  @ApiOkResponse({ schema: { type: 'string', example: '' } })
  async deleteMany(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const deleted = await this.documents.deleteMany(idList(query, 'docs'));
    res.setHeader('X-Deleted-Count', String(deleted));
    return EMPTY_JSON_STRING;
  }
}

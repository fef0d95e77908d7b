import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ResultCreateDto, ResultService, resultView, validateResult } from '@dane/core';
import { ErrorResponseDto } from '../dtos/error.dto';
import { ResultDto } from '../dtos/result.dto';
import { EMPTY_JSON_STRING } from '../http/empty-json';
import { BodyPipe } from '../http/validation.pipe';

@ApiTags('result')
@Controller('DANE/result')
export class ResultController {
  constructor(private readonly results: ResultService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Store a result {task_id, generator, payload}' })
  @ApiBody({ type: ResultCreateDto })
  @ApiCreatedResponse({ type: ResultDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown task' })
  async save(@Body(new BodyPipe(validateResult)) body: ResultCreateDto) {
    return resultView(await this.results.save(body));
  }

  @Get(':id')
  @ApiOkResponse({ type: ResultDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id') id: string) {
    return resultView(await this.results.get(id));
  }

  @Delete(':id')
  @Header('Content-Type', 'application/json')
  @ApiOkResponse({ schema: { type: 'string', example: '' } })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@Param('id') id: string) {
    await this.results.delete(id);
    return EMPTY_JSON_STRING;
  }

  @Get(':id/delete')
  @Header('Content-Type', 'application/json')
  @ApiOperation({ summary: 'Legacy 0.2 alias of DELETE /DANE/result/<id> (docs/protocol.md, Legacy routes)' })
  @ApiOkResponse({ schema: { type: 'string', example: '' } })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async legacyDelete(@Param('id') id: string) {
    await this.results.delete(id);
    return EMPTY_JSON_STRING;
  }
}

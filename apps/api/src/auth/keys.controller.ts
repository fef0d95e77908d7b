import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiKeyCreateDto, ApiKeyService, PageQueryDto, pageOf } from '@dane/core';
import { ApiKeyListDto, CreatedApiKeyDto } from '../dtos/api-key.dto';
import { ErrorResponseDto } from '../dtos/error.dto';
import { EMPTY_JSON_STRING } from '../http/empty-json';

/** API key management (admin role): create (the key is shown once), list, revoke. */
@ApiTags('keys')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponseDto })
@ApiForbiddenResponse({ type: ErrorResponseDto, description: 'The key is not an admin key' })
@Controller('DANE/keys')
export class KeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a key {name, role}; the answer holds the key, which is never shown again' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(@Body() body: ApiKeyCreateDto) {
    return this.keys.create(body.name, body.role);
  }

  @Get()
  @ApiOperation({ summary: 'The keys (without secrets), oldest first, paged' })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(@Query() q: PageQueryDto) {
    const page = await this.keys.list(pageOf(q));
    return { total: page.total, keys: page.items };
  }

  @Delete(':id')
  @Header('Content-Type', 'application/json')
  @ApiOperation({ summary: 'Revoke a key by id (the part between `dane_` and the second `_`); answers ""' })
  @ApiOkResponse({ schema: { type: 'string', example: '' } })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(@Param('id') id: string) {
    await this.keys.revoke(id);
    return EMPTY_JSON_STRING;
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { CampaignCreateDto, CampaignService, PageQueryDto, TaskActionQueryDto, pageOf, validateCampaign } from '@dane/core';
import { RequireRole } from '../auth/route-roles';
import { CampaignCancelDto, CampaignDryRunDto, CampaignDto, CampaignListDto } from '../dtos/campaign.dto';
import { ErrorResponseDto } from '../dtos/error.dto';
import { setPagingHeaders } from '../http/paged-response';
import { BodyPipe } from '../http/validation.pipe';

const NOT_KEPT = { status: 501, type: ErrorResponseDto, description: 'The store keeps no campaigns (Elasticsearch); the message names it' };

@ApiTags('campaigns')
@ApiExtraModels(CampaignDto, CampaignDryRunDto)
@Controller('DANE/campaigns')
export class CampaignController {
  constructor(private readonly campaigns: CampaignService) {}

  @Post()
  @HttpCode(200)
  @RequireRole('operate')
  @ApiOperation({
    summary: 'Start a campaign: assign a key to the selected documents, or re-run the selected tasks, at most max_in_flight unfinished at a time',
    description:
      'The selection is taken once, now: documents by creator, target id pattern or id list (assign: those without a task of the key); tasks of the key by ' +
      'state and by the generator name and version of their results (rerun). With dry_run the answer is the exact count, the count by state and a sample, ' +
      'and nothing is stored or changed. Otherwise the campaign is stored and a scheduler feeds it (docs/protocol.md, Campaigns).',
  })
  @ApiBody({ type: CampaignCreateDto })
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(CampaignDto) }, { $ref: getSchemaPath(CampaignDryRunDto) }] }, description: 'The campaign as stored, or the dry run' })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiResponse(NOT_KEPT)
  create(@Body(new BodyPipe(validateCampaign)) body: CampaignCreateDto) {
    return this.campaigns.create(body);
  }

  @Get()
  @RequireRole('read')
  @ApiOperation({ summary: 'Campaigns, newest first, with their progress (paged by number)' })
  @ApiOkResponse({ type: CampaignListDto })
  @ApiResponse(NOT_KEPT)
  async list(@Query() q: PageQueryDto, @Res({ passthrough: true }) res: Response) {
    const page = await this.campaigns.list(pageOf(q));
    setPagingHeaders(res, page, false);
    return { total: page.total, campaigns: page.items };
  }

  @Get(':id')
  @RequireRole('read')
  @ApiOperation({ summary: 'A campaign: matched, pending, queued, running, done, failed, cancelled, in flight, rate and ETA' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiResponse(NOT_KEPT)
  get(@Param('id') id: string) {
    return this.campaigns.get(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @RequireRole('operate')
  @ApiOperation({ summary: 'Stop feeding (what was fed runs on); resume continues' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not running' })
  pause(@Param('id') id: string) {
    return this.campaigns.pause(id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireRole('operate')
  @ApiOperation({ summary: 'Feed a paused campaign again' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not paused' })
  resume(@Param('id') id: string) {
    return this.campaigns.resume(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireRole('operate')
  @ApiOperation({
    summary: 'End a running or paused campaign: nothing more is fed, and its unfinished tasks are cancelled (docs/protocol.md, Cancellation)',
    description: '`?cascade=true` also cancels the dependants of those tasks; without it they say `blocked by KEY: cancelled`.',
  })
  @ApiOkResponse({ type: CampaignCancelDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already cancelled or done' })
  cancel(@Param('id') id: string, @Query() q: TaskActionQueryDto) {
    return this.campaigns.cancel(id, { cascade: q.cascade ?? false });
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CAMPAIGN_ACTIONS, CAMPAIGN_STATUSES, CampaignSelectionDto } from '@dane/core';

/* Answers of the campaign routes (docs/protocol.md, Campaigns), for the OpenAPI document. */

class CampaignCountsDto {
  @ApiProperty({ description: 'Items selected when the campaign was created' }) matched: number;
  @ApiProperty({ description: 'Not fed to the scheduler yet' }) pending: number;
  @ApiProperty({ description: 'Fed, waiting to be dispatched (201, 205, 412, 502/503 with retries left)' }) queued: number;
  @ApiProperty({ description: 'In flight (102)' }) running: number;
  @ApiProperty({ description: 'Done (200)' }) done: number;
  @ApiProperty({ description: 'Waiting for a person (400, 403, 404, 422, 500, retries spent), or the task is gone' }) failed: number;
  @ApiProperty({ description: 'Cancelled (when the state table has a cancelled state)' }) cancelled: number;
}

export class CampaignDto {
  @ApiProperty({ example: '9f2c4e1a0b7d3c5e8f61' }) _id: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ enum: CAMPAIGN_ACTIONS }) action: string;
  @ApiProperty({ type: CampaignSelectionDto }) selection: CampaignSelectionDto;
  @ApiProperty({ example: 10 }) max_in_flight: number;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status: string;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
  @ApiProperty({ nullable: true, type: String }) finished_at: string | null;
  @ApiProperty({ type: CampaignCountsDto }) counts: CampaignCountsDto;
  @ApiProperty({ description: 'Unfinished now (fed and not done, failed or cancelled); never above max_in_flight' }) in_flight: number;
  @ApiProperty({ description: 'Items done in the last minute' }) rate_per_minute: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds left at the last minute’s rate; null when nothing was done in the last minute, or while paused or cancelled' })
  eta_seconds: number | null;
  @ApiPropertyOptional({ description: 'assign: the assigned tasks’ priority' }) priority?: number;
  @ApiPropertyOptional({ type: Object, description: 'assign: the assigned tasks’ args' }) args?: Record<string, unknown>;
}

class CampaignSampleDto {
  @ApiProperty() document_id: string;
  @ApiProperty() task_id: string;
  @ApiProperty({ nullable: true, type: Number, description: 'The task’s state now (rerun); null for a task assign would create' }) state: number | null;
}

export class CampaignDryRunDto {
  @ApiProperty({ example: true }) dry_run: true;
  @ApiProperty({ enum: CAMPAIGN_ACTIONS }) action: string;
  @ApiProperty({ type: CampaignSelectionDto }) selection: CampaignSelectionDto;
  @ApiProperty({ description: 'Exact number of documents (assign) or tasks (rerun) the campaign would take' }) matched: number;
  @ApiProperty({ type: Object, description: 'rerun: matched tasks by their state now', example: { '200': 180, '500': 20 } }) by_state: Record<string, number>;
  @ApiProperty({ type: [CampaignSampleDto], description: 'The first 10 in campaign order' }) sample: CampaignSampleDto[];
}

export class CampaignListDto {
  @ApiProperty() total: number;
  @ApiProperty({ type: [CampaignDto] }) campaigns: CampaignDto[];
}

export class CampaignCancelDto {
  @ApiProperty({ type: CampaignDto }) campaign: CampaignDto;
  @ApiProperty({ description: 'Tasks the campaign had fed that were not finished' }) unfinished_tasks: number;
  @ApiProperty({ description: 'Of those, cancelled (0 while the server has no task cancellation)' }) cancelled_tasks: number;
  @ApiProperty() message: string;
}

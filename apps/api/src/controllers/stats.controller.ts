import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { TaskService } from '@dane/core';

@ApiTags('stats')
@Controller('DANE/stats')
export class StatsController {
  constructor(private readonly tasks: TaskService) {}

  @Get('tasks')
  @ApiOperation({ summary: 'Task counts by key and state (of one key with ?key=)' })
  @ApiQuery({ name: 'key', required: false })
  @ApiOkResponse({ description: '{"counts": [{"key", "state", "count"}]}' })
  async tasksByKeyAndState(@Query('key') key?: string) {
    return { counts: await this.tasks.counts(typeof key === 'string' ? key : undefined) };
  }
}

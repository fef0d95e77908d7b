import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { TaskMetrics } from '@dane/core/metrics';
import { RequireRole } from '../auth/route-roles';

/**
 * Prometheus exposition of this process's metrics. Open like /health (no API key): scrape it from
 * inside the deployment's network and do not publish it (docs/operations.md, Metrics).
 */
@ApiTags('ops')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: TaskMetrics) {}

  @Get('metrics')
  @RequireRole('open')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics: tasks by key and state, dispatch latency, task duration, retries, rejected replies, results, queue depth' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4' })
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.exposition();
    res.status(200).setHeader('Content-Type', this.metrics.contentType);
    res.end(body);
  }
}

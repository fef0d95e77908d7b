import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadinessService } from '@dane/core';
import { ReadinessDto } from '../dtos/health.dto';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('health')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: 200 with an empty body' })
  @ApiOkResponse()
  health(@Res() res: Response): void {
    res.status(200).end();
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the store answers, and the broker too when this process holds a connection' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto })
  async ready(@Res({ passthrough: true }) res: Response) {
    const { ready, body } = await this.readiness.check();
    res.status(ready ? 200 : 503);
    return body;
  }
}

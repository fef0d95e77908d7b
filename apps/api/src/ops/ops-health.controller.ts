import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { BROKER_HEALTH, BrokerHealth } from '@dane/core/services/broker-health';
import { ReadinessService } from '@dane/core/services/readiness.service';
import { RequireRole } from '../auth/route-roles';

/**
 * Liveness and readiness in the @nestjs/terminus shape (`{status, info, error, details}`), for
 * orchestrators; `/health` (200, empty) and `/ready` (`{"database", "messagequeue"}`) stay as they were
 * (docs/protocol.md, Health, readiness and operations routes). Ready: the store answers its ping, and the
 * broker connection is up when this process holds one (BROKER_HEALTH not null). Live: the process answers. Both
 * are open (no API key), like /health.
 */
@ApiTags('health')
@Controller('health')
export class OpsHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessService,
    @Inject(BROKER_HEALTH) private readonly broker: BrokerHealth | null,
  ) {}

  @Get('live')
  @RequireRole('open')
  @ApiOperation({ summary: 'Liveness (terminus): 200 while the process serves requests' })
  @ApiOkResponse()
  async live(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.run(res, [async () => this.indicators.check('process').up({ uptime_s: Math.round(process.uptime()) })]);
  }

  @Get('ready')
  @RequireRole('open')
  @ApiOperation({ summary: 'Readiness (terminus): the store answers, and the broker when this process holds a connection; 503 otherwise' })
  @ApiOkResponse()
  @ApiServiceUnavailableResponse()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const checked = this.readiness.check();
    return this.run(res, [
      async () => {
        const { body } = await checked;
        const database = this.indicators.check('database');
        return body.database === '200 OK' ? database.up() : database.down({ message: body.database });
      },
      async () => {
        const { body } = await checked;
        const broker = this.indicators.check('messagequeue');
        if (!this.broker) return broker.up({ message: body.messagequeue });
        return body.messagequeue === '200 OK' ? broker.up() : broker.down({ message: body.messagequeue });
      },
    ]);
  }

  /** Terminus throws a 503 when a check is down; answer its body as is (not the `{"message"}` of the exception filter). */
  private async run(res: Response, checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }
}

import { Controller, Get, Header, Inject, MessageEvent, Query, Res, Sse } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { map, Observable } from 'rxjs';
import { DANE_STORE, DaneStore, pageRequest, taskView } from '@dane/core';
import { pagedList } from '../http/paged-response';
import { DashboardFeed } from './dashboard-feed.service';
import { DashboardSnapshot } from './dashboard-snapshot';
import { DASHBOARD_HTML } from './page/dashboard-page';
import { DASHBOARD_SCRIPT } from './page/dashboard-script';
import { parseKey, parseStates } from './task-list-query';

// The page and its script come from this origin only; styles are inline in the page.
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/**
 * The live dashboard at /manage (the original served its admin UI there, §5.1): one static page,
 * its script, a server-sent-events stream of snapshots, and two JSON reads the CLI uses too.
 * `/manage/` reaches the same route: the path normaliser drops the trailing slash.
 */
@ApiExcludeController()
@Controller('manage')
export class DashboardController {
  constructor(
    private readonly feed: DashboardFeed,
    @Inject(DANE_STORE) private readonly store: DaneStore,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return DASHBOARD_HTML;
  }

  @Get('dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return DASHBOARD_SCRIPT;
  }

  /** A snapshot every second: counts by key × state, throughput, the tasks needing attention. */
  @Sse('events')
  events(): Observable<MessageEvent> {
    return this.feed.snapshots$.pipe(map((snapshot) => ({ data: snapshot })));
  }

  /** One snapshot read now (no throughput), for scripts and `dane watch`. */
  @Get('api/snapshot')
  snapshot(): Promise<DashboardSnapshot> {
    return this.feed.current();
  }

  /**
   * Tasks by key and state, paged, total in X-Total-Count: the list `dane tasks` shows. The /DANE
   * routes have no such filter (GET /DANE/workers/<key> is fixed to the errored states).
   */
  @Get('api/tasks')
  async tasks(@Query() q: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const page = pageRequest(q.page, q.size);
    const list = await this.store.tasks.list({ key: parseKey(q.key), states: parseStates(q.state) }, page);
    return pagedList(res, list, taskView);
  }
}

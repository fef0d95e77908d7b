import { Controller, Get, Header, Inject, MessageEvent, Query, Res, Sse } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { bufferTime, filter, map, merge, mergeMap, Observable } from 'rxjs';
import { DANE_STORE, DaneEvent, DaneStore, DeploymentQueues, eventRoutingKey, pageRequest, taskView, WorkerQueueService } from '@dane/core';
import { pagedList } from '../http/paged-response';
import { DashboardEvents } from './dashboard-events.service';
import { DashboardFeed } from './dashboard-feed.service';
import { DashboardSnapshot } from './dashboard-snapshot';
import { DASHBOARD_HTML } from './page/dashboard-page';
import { DASHBOARD_SCRIPT } from './page/dashboard-script';
import { parseFlag, parseKey, parseStates } from './task-list-query';

/** DANE-events go to a browser in batches this often, at most EVENTS_PER_BATCH of them (the newest). */
const EVENT_BATCH_MS = 250;
const EVENTS_PER_BATCH = 50;

/** A DANE-event as the dashboard stream sends it: the decoded body, its kind and routing key. */
type DashboardEventMessage = DaneEvent & { routing_key: string };

// The page and its script come from this origin only; styles are inline in the page.
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/**
 * The live dashboard at /manage (the original served its admin UI there; docs/protocol.md, Health, readiness and operations routes): one static page,
 * its script, a server-sent-events stream of snapshots and DANE-events, and JSON reads (the CLI
 * uses the snapshot and the task list).
 * `/manage/` reaches the same route: the path normaliser drops the trailing slash.
 */
@ApiExcludeController()
@Controller('manage')
export class DashboardController {
  constructor(
    private readonly feed: DashboardFeed,
    private readonly daneEvents: DashboardEvents,
    private readonly workerQueues: WorkerQueueService,
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

  /**
   * A snapshot every second (and soon after changes), as default `message` events: counts by key ×
   * state, throughput, the tasks needing attention. Besides, the deployment's DANE-events as
   * `dane-event` messages; a burst is cut to the newest EVENTS_PER_BATCH per EVENT_BATCH_MS, and a
   * `dane-events-skipped` message ({count}) says how many were left out.
   */
  @Sse('events')
  events(): Observable<MessageEvent> {
    const snapshots = this.feed.snapshots$.pipe(map((snapshot): MessageEvent => ({ data: snapshot })));
    if (!this.daneEvents.enabled) return snapshots;
    const events = this.daneEvents.events$.pipe(
      bufferTime(EVENT_BATCH_MS),
      filter((batch) => batch.length > 0),
      mergeMap((batch): MessageEvent[] => {
        const sent = batch.slice(-EVENTS_PER_BATCH);
        const skipped = batch.length - sent.length;
        return [
          ...(skipped > 0 ? [{ type: 'dane-events-skipped', data: { count: skipped } }] : []),
          ...sent.map((event) => ({ type: 'dane-event', data: { ...event, routing_key: eventRoutingKey(event) } satisfies DashboardEventMessage })),
        ];
      }),
    );
    return merge(snapshots, events);
  }

  /** One snapshot read now (no throughput), for scripts and `dane watch`. */
  @Get('api/snapshot')
  snapshot(): Promise<DashboardSnapshot> {
    return this.feed.current();
  }

  /**
   * This deployment's queues with their consumers and messages (RabbitMQ management API): the worker
   * queues its exchange routes tasks to, and the server's own (response, results, scheduler
   * wake-ups, the api replicas' dashboard event queues). 503 when the management API is off or away.
   */
  @Get('api/queues')
  queues(): Promise<DeploymentQueues> {
    return this.workerQueues.deployment();
  }

  /**
   * Tasks by key and state (and `needs_person=true|false`: lifecycle/needs-person.ts), paged, total in
   * X-Total-Count: the list `dane tasks` shows. The /DANE
   * routes have no such filter (GET /DANE/workers/<key> is fixed to the errored states).
   */
  @Get('api/tasks')
  async tasks(@Query() q: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const page = pageRequest(q.page, q.size);
    const list = await this.store.tasks.list({ key: parseKey(q.key), states: parseStates(q.state), needsPerson: parseFlag(q.needs_person, 'needs_person') }, page);
    return pagedList(res, list, taskView);
  }
}

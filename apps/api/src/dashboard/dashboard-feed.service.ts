import { Injectable } from '@nestjs/common';
import { asyncScheduler, catchError, from, map, merge, Observable, ObservableInput, of, OperatorFunction, scan, shareReplay, Subscription, throttleTime, timer } from 'rxjs';
import { DashboardEvents } from './dashboard-events.service';
import { DashboardSnapshot, StoreReading } from './dashboard-snapshot';
import { StoreReader } from './store-reader.service';
import { failedSnapshot, nextSnapshot } from './throughput';

export const SNAPSHOT_INTERVAL_MS = 1000;
/** While DANE-events flow, at most one extra read per this many ms besides the timer's. */
export const EVENT_REFRESH_MS = 250;

type Read = { ok: true; reading: StoreReading } | { ok: false; t: number; error: string };

/** Why the store is read: the timer, or DANE-events that say something changed. */
type Trigger = 'tick' | 'event';

/**
 * One stream of snapshots shared by every open dashboard: the store is read once a second however
 * many browsers watch, and not at all when none does (the timer stops with the last subscriber).
 * DANE-events (any replica's, the scheduler's) bring a read forward, at most one per
 * EVENT_REFRESH_MS while they flow, so a change shows without waiting for the timer. A newcomer
 * gets the latest snapshot at once. A slow read is never overlapped by the next one.
 */
@Injectable()
export class DashboardFeed {
  readonly snapshots$: Observable<DashboardSnapshot>;

  constructor(
    private readonly reader: StoreReader,
    events: DashboardEvents,
  ) {
    const ticks = timer(0, SNAPSHOT_INTERVAL_MS).pipe(map((): Trigger => 'tick'));
    const changes = events.events$.pipe(
      throttleTime(EVENT_REFRESH_MS, asyncScheduler, { leading: true, trailing: true }),
      map((): Trigger => 'event'),
    );
    this.snapshots$ = merge(ticks, changes).pipe(
      readsWithoutOverlap(
        () =>
          from(this.reader.read()).pipe(
            map((reading): Read => ({ ok: true, reading })),
            catchError((err: Error) => of<Read>({ ok: false, t: Date.now(), error: `The store could not be read: ${err?.message ?? err}` })),
          ),
        (trigger) => trigger === 'event',
      ),
      scan<Read, DashboardSnapshot | undefined>((prev, read) => (read.ok ? nextSnapshot(prev, read.reading) : failedSnapshot(prev, read.t, read.error)), undefined),
      map((s) => s!),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  /** A snapshot read now (no throughput: that needs two reads), for one-off callers like the CLI. */
  async current(): Promise<DashboardSnapshot> {
    return nextSnapshot(undefined, await this.reader.read());
  }
}

/**
 * exhaustMap that remembers: a trigger arriving during a read is dropped (no overlap), unless
 * `keep` says it must not be lost; then one more read starts as soon as the current one ends (a
 * change announced mid-read may not be in it). Several kept triggers make one read.
 */
export function readsWithoutOverlap<T, R>(read: () => ObservableInput<R>, keep: (trigger: T) => boolean): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let reading: Subscription | undefined;
      let busy = false;
      let again = false;
      let sourceDone = false;
      const start = () => {
        busy = true;
        again = false;
        reading = from(read()).subscribe({
          next: (r) => subscriber.next(r),
          error: (e) => subscriber.error(e),
          complete: () => {
            busy = false;
            if (again) start();
            else if (sourceDone) subscriber.complete();
          },
        });
      };
      const triggers = source.subscribe({
        next: (t) => {
          if (!busy) start();
          else if (keep(t)) again = true;
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          sourceDone = true;
          if (!busy) subscriber.complete();
        },
      });
      return () => {
        triggers.unsubscribe();
        reading?.unsubscribe();
      };
    });
}

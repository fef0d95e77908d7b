import { Injectable } from '@nestjs/common';
import { catchError, exhaustMap, from, map, Observable, of, scan, shareReplay, timer } from 'rxjs';
import { DashboardSnapshot, StoreReading } from './dashboard-snapshot';
import { StoreReader } from './store-reader.service';
import { failedSnapshot, nextSnapshot } from './throughput';

export const SNAPSHOT_INTERVAL_MS = 1000;

type Read = { ok: true; reading: StoreReading } | { ok: false; t: number; error: string };

/**
 * One stream of snapshots shared by every open dashboard: the store is read once a second however
 * many browsers watch, and not at all when none does (the timer stops with the last subscriber).
 * A newcomer gets the latest snapshot at once. A slow read is never overlapped by the next one.
 */
@Injectable()
export class DashboardFeed {
  readonly snapshots$: Observable<DashboardSnapshot>;

  constructor(private readonly reader: StoreReader) {
    this.snapshots$ = timer(0, SNAPSHOT_INTERVAL_MS).pipe(
      exhaustMap(() =>
        from(this.reader.read()).pipe(
          map((reading): Read => ({ ok: true, reading })),
          catchError((err: Error) => of<Read>({ ok: false, t: Date.now(), error: `The store could not be read: ${err?.message ?? err}` })),
        ),
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

import { Observable, Subject, Subscription } from 'rxjs';
import type { DaneEvent } from '@dane/core';
import { DashboardEvents } from './dashboard-events.service';
import { DashboardFeed, EVENT_REFRESH_MS, readsWithoutOverlap, SNAPSHOT_INTERVAL_MS } from './dashboard-feed.service';
import { DashboardSnapshot, StoreReading } from './dashboard-snapshot';
import { StoreReader } from './store-reader.service';

const EVENT: DaneEvent = { type: 'document.registered', document_id: 'd1', target_id: 't1', creator_id: 'c1', at: '2024-01-01T00:00:00Z' };

/** A store reader that counts its reads, each taking `readMs`, and never runs two at once unnoticed. */
class CountingReader {
  reads = 0;
  running = 0;
  maxRunning = 0;
  constructor(public readMs = 10) {}
  async read(): Promise<StoreReading> {
    this.reads++;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((r) => setTimeout(r, this.readMs));
    this.running--;
    return { t: Date.now(), counts: [], needsPerson: [], attention: { total: 0, tasks: [] } };
  }
}

/** DashboardEvents as the feed sees it: an events$ stream the test drives, counting its subscribers. */
function fakeEvents(): { events: DashboardEvents; emit(): void; subscribers(): number } {
  const subject = new Subject<DaneEvent>();
  let subscribers = 0;
  const events$ = new Observable<DaneEvent>((s) => {
    subscribers++;
    const sub = subject.subscribe(s);
    return () => {
      subscribers--;
      sub.unsubscribe();
    };
  });
  return { events: { events$, enabled: true } as unknown as DashboardEvents, emit: () => subject.next(EVENT), subscribers: () => subscribers };
}

describe('DashboardFeed', () => {
  let subs: Subscription[] = [];
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    subs.forEach((s) => s.unsubscribe());
    subs = [];
    jest.useRealTimers();
  });
  const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

  it('reads once a second without events', async () => {
    const reader = new CountingReader();
    const { events } = fakeEvents();
    const snapshots: DashboardSnapshot[] = [];
    subs.push(new DashboardFeed(reader as unknown as StoreReader, events).snapshots$.subscribe((s) => snapshots.push(s)));
    await advance(SNAPSHOT_INTERVAL_MS * 3 - 1);
    expect(reader.reads).toBe(3);
    expect(snapshots).toHaveLength(3);
  });

  it('reads right after an event, without waiting for the timer', async () => {
    const reader = new CountingReader();
    const { events, emit } = fakeEvents();
    const snapshots: DashboardSnapshot[] = [];
    subs.push(new DashboardFeed(reader as unknown as StoreReader, events).snapshots$.subscribe((s) => snapshots.push(s)));
    await advance(300);
    expect(reader.reads).toBe(1);
    emit();
    await advance(20);
    expect(reader.reads).toBe(2);
    expect(snapshots).toHaveLength(2);
  });

  it('makes at most one extra read per 250 ms while events flow, never two reads at once', async () => {
    const reader = new CountingReader(30);
    const { events, emit } = fakeEvents();
    subs.push(new DashboardFeed(reader as unknown as StoreReader, events).snapshots$.subscribe());
    await advance(100);
    const before = reader.reads;
    // 200 events over 900 ms (a burst from another replica), all before the next timer read.
    for (let i = 0; i < 200; i++) {
      emit();
      await advance(4.5);
    }
    const extra = reader.reads - before;
    expect(extra).toBeGreaterThanOrEqual(3);
    expect(extra).toBeLessThanOrEqual(Math.ceil(900 / EVENT_REFRESH_MS) + 1);
    expect(reader.maxRunning).toBe(1);
  });

  it('reads again after a slow read when an event arrived during it (the change may not be in it)', async () => {
    const reader = new CountingReader(600);
    const { events, emit } = fakeEvents();
    subs.push(new DashboardFeed(reader as unknown as StoreReader, events).snapshots$.subscribe());
    await advance(100);
    expect(reader.reads).toBe(1);
    emit();
    await advance(499); // the first read ends at 600
    expect(reader.reads).toBe(1);
    await advance(2);
    expect(reader.reads).toBe(2);
    expect(reader.maxRunning).toBe(1);
  });

  it('shares one stream: one read per tick for many watchers, events unsubscribed with the last one', async () => {
    const reader = new CountingReader();
    const { events, subscribers } = fakeEvents();
    const feed = new DashboardFeed(reader as unknown as StoreReader, events);
    const a = feed.snapshots$.subscribe();
    const b = feed.snapshots$.subscribe();
    await advance(SNAPSHOT_INTERVAL_MS * 2 - 1);
    expect(reader.reads).toBe(2);
    expect(subscribers()).toBe(1);
    a.unsubscribe();
    expect(subscribers()).toBe(1);
    b.unsubscribe();
    expect(subscribers()).toBe(0);
    await advance(SNAPSHOT_INTERVAL_MS * 3);
    expect(reader.reads).toBe(2);
  });
});

describe('readsWithoutOverlap', () => {
  it('drops timer triggers during a read and keeps one for any number of kept triggers', async () => {
    jest.useFakeTimers();
    try {
      const triggers = new Subject<'tick' | 'event'>();
      let reads = 0;
      const out: number[] = [];
      const sub = triggers
        .pipe(
          readsWithoutOverlap(
            () => new Promise<number>((r) => setTimeout(() => r(++reads), 100)),
            (t) => t === 'event',
          ),
        )
        .subscribe((n) => out.push(n));
      triggers.next('tick');
      triggers.next('tick');
      await jest.advanceTimersByTimeAsync(150);
      expect(out).toEqual([1]);
      triggers.next('tick');
      triggers.next('event');
      triggers.next('event');
      triggers.next('tick');
      await jest.advanceTimersByTimeAsync(300);
      expect(out).toEqual([1, 2, 3]);
      sub.unsubscribe();
    } finally {
      jest.useRealTimers();
    }
  });
});

import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  CampaignCreateDto,
  type CampaignCancelOutcome,
  type CampaignSelectionView,
  type CampaignDryRun,
  type CampaignView,
  CampaignSelectionDto,
  CampaignStatus,
  DaneError,
  DaneTask,
  InvalidStateError,
  NotFoundError,
  Page,
  PageRequest,
  STATE_TABLE,
  TaskState,
  TRANSITIONS,
  formatTimestamp,
  normaliseKey,
  validateCampaign,
} from '@dane/protocol';
import type { CampaignItem, CampaignProgress, CampaignRecord, CampaignRepository, CampaignSelection } from '../storage/campaign.port';
import { DANE_STORE, DaneStore, TransitionRequest } from '../storage/store.port';
import { TaskAssignmentService } from './task-assignment.service';
import { TaskCancellationService } from './task-cancellation.service';
import { tasksOfDocument, unmetDependencies, waitingMessage } from './task-dependencies';

/** How many items a dry run shows. */
const SAMPLE_SIZE = 10;
/** Default `max_in_flight`. */
export const DEFAULT_CAMPAIGN_IN_FLIGHT = 100;
/** Items fed in one write (a larger room is fed over several). */
const FEED_BATCH = 500;

/** The store keeps no campaigns (Elasticsearch): 501, naming the store. */
export class CampaignsUnsupportedError extends DaneError {
  override readonly status = 501;
}

/** rerun feeds a task from any state but 102: one in flight is already running. */
const RERUN_FROM: readonly number[] = STATE_TABLE.map((s) => s.code).filter((c) => c !== TaskState.QUEUED);

function toSelection(dto: CampaignSelectionDto): CampaignSelection {
  const g = dto.generator;
  return {
    key: normaliseKey(dto.key, 'selection.key'),
    ...(dto.creator_id !== undefined ? { creatorId: dto.creator_id } : {}),
    ...(dto.target_id !== undefined ? { targetId: dto.target_id } : {}),
    ...(dto.document_ids !== undefined ? { documentIds: [...new Set(dto.document_ids)] } : {}),
    ...(dto.states !== undefined ? { states: [...new Set(dto.states)] } : {}),
    ...(g
      ? {
          generator: {
            ...(g.name !== undefined ? { name: g.name.toUpperCase() } : {}),
            ...(g.version !== undefined ? { version: g.version } : {}),
            ...(g.version_below !== undefined ? { versionBelow: g.version_below } : {}),
          },
        }
      : {}),
  };
}

function selectionView(s: CampaignSelection): CampaignSelectionView {
  const g = s.generator;
  return {
    key: s.key,
    ...(s.creatorId !== undefined ? { creator_id: s.creatorId } : {}),
    ...(s.targetId !== undefined ? { target_id: s.targetId } : {}),
    ...(s.documentIds !== undefined ? { document_ids: s.documentIds } : {}),
    ...(s.states !== undefined ? { states: s.states } : {}),
    ...(g
      ? {
          generator: {
            ...(g.name !== undefined ? { name: g.name } : {}),
            ...(g.version !== undefined ? { version: g.version } : {}),
            ...(g.versionBelow !== undefined ? { version_below: g.versionBelow } : {}),
          },
        }
      : {}),
  };
}

/** Unfinished: fed (or being fed) and not done, failed or cancelled. */
function unfinished(p: CampaignProgress): number {
  return p.feeding + p.queued + p.running;
}

function campaignView(c: CampaignRecord, p: CampaignProgress): CampaignView {
  const left = p.pending + unfinished(p);
  return {
    _id: c.id,
    name: c.name,
    action: c.action,
    selection: selectionView(c.selection),
    max_in_flight: c.maxInFlight,
    status: c.status,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    finished_at: c.finishedAt,
    counts: { matched: p.matched, pending: p.pending, queued: p.queued + p.feeding, running: p.running, done: p.done, failed: p.failed, cancelled: p.cancelled },
    in_flight: unfinished(p),
    rate_per_minute: p.doneLastMinute,
    // Paused or cancelled, what is left will not get done at any rate: no ETA.
    eta_seconds: left === 0 ? 0 : c.status === 'paused' || c.status === 'cancelled' || p.doneLastMinute === 0 ? null : Math.ceil((left / p.doneLastMinute) * 60),
    ...(c.action === 'assign' ? { priority: c.priority, args: c.args } : {}),
  };
}

function newCampaignId(): string {
  return randomBytes(10).toString('hex');
}

/**
 * Campaigns (docs/protocol.md, Campaigns): a selection of documents or tasks of one key, assigned or re-run at most
 * `max_in_flight` unfinished at a time. The API creates, shows, pauses, resumes and cancels them; the scheduler's
 * CampaignFeeder calls `feed` under a lease in the store, so of several schedulers one feeds a campaign at a time,
 * and a campaign survives a restart of every process (its items and their phase are in the store).
 */
@Injectable()
export class CampaignService {
  private readonly logger = new Logger(CampaignService.name);

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    private readonly assignment: TaskAssignmentService,
    private readonly cancellation: TaskCancellationService,
  ) {}

  private get repo(): CampaignRepository {
    const repo = this.store.campaigns;
    if (!repo) {
      throw new CampaignsUnsupportedError(
        `Campaigns are kept in the PostgreSQL and PGlite stores; this server's ${this.store.kind} store (STORAGE.TYPE ${this.store.kind}) has none (docs/protocol.md, Campaigns)`,
      );
    }
    return repo;
  }

  /** Whether the store keeps campaigns (the feeder does nothing otherwise). */
  get supported(): boolean {
    return this.store.campaigns !== undefined;
  }

  /** `POST /DANE/campaigns/`: a dry run answers counts and a sample and writes nothing; otherwise the campaign is stored and starts. */
  async create(body: unknown): Promise<CampaignDryRun | CampaignView> {
    const dto: CampaignCreateDto = validateCampaign(body);
    const repo = this.repo;
    const selection = toSelection(dto.selection);
    if (dto.dry_run) {
      const preview = await repo.preview(dto.action, selection, SAMPLE_SIZE);
      return { dry_run: true, action: dto.action, selection: selectionView(selection), matched: preview.matched, by_state: preview.byState, sample: preview.sample };
    }
    const record = await repo.create({
      id: newCampaignId(),
      name: dto.name ?? null,
      action: dto.action,
      selection,
      maxInFlight: dto.max_in_flight ?? DEFAULT_CAMPAIGN_IN_FLIGHT,
      priority: dto.priority ?? 1,
      args: dto.args ?? {},
      createdAt: formatTimestamp(new Date()),
    });
    this.logger.log(
      JSON.stringify({ event: 'campaign_created', campaign_id: record.id, action: record.action, key: selection.key, matched: record.matched, max_in_flight: record.maxInFlight }),
    );
    return this.view(record);
  }

  async get(id: string): Promise<CampaignView> {
    return this.view(await this.find(id));
  }

  async list(page: PageRequest): Promise<Page<CampaignView>> {
    const records = await this.repo.list(page);
    const items = await Promise.all(records.items.map((r) => this.view(r)));
    return { ...records, items };
  }

  async pause(id: string): Promise<CampaignView> {
    return this.view(await this.setStatus(id, ['running'], 'paused', 'pause'));
  }

  async resume(id: string): Promise<CampaignView> {
    return this.view(await this.setStatus(id, ['paused'], 'running', 'resume'));
  }

  /**
   * Stops feeding for good, then cancels the campaign's unfinished tasks (fed and not done, failed or cancelled) through
   * the task cancellation (docs/protocol.md, Cancellation): queued ones are never dispatched, running ones are told.
   * `cascade` also cancels their dependants.
   */
  async cancel(id: string, options: { cascade?: boolean } = {}): Promise<CampaignCancelOutcome> {
    const record = await this.setStatus(id, ['running', 'paused'], 'cancelled', 'cancel');
    // Whatever a feeder was feeding as the status changed is fed (or not) by now: it checks the status per item batch.
    const open = await this.repo.unfinishedTaskIds(id);
    const summary = open.length ? await this.cancellation.cancelMany({ taskIds: open }, { cascade: options.cascade }) : undefined;
    const cancelled = summary?.cancelled.length ?? 0;
    this.logger.log(JSON.stringify({ event: 'campaign_cancelled', campaign_id: id, unfinished_tasks: open.length, cancelled_tasks: cancelled }));
    return {
      campaign: await this.view(record),
      unfinished_tasks: open.length,
      cancelled_tasks: cancelled,
      message:
        open.length === 0
          ? 'Campaign cancelled; none of its tasks was unfinished'
          : `Campaign cancelled: nothing more is fed, ${cancelled} of its ${open.length} unfinished task(s) cancelled` +
            (cancelled < open.length ? ' (the others finished meanwhile)' : ''),
    };
  }

  /**
   * One round of the feeder `owner`: leases the running campaigns it may feed (lease `leaseMs`), and feeds each up to
   * its `max_in_flight`. Returns how many items it fed.
   */
  async feed(owner: string, leaseMs: number, limit = 50): Promise<number> {
    const repo = this.store.campaigns;
    if (!repo) return 0;
    let fed = 0;
    for (const c of await repo.lease(owner, leaseMs, limit)) {
      try {
        fed += await this.feedOne(repo, c, owner);
      } catch (err) {
        this.logger.warn(JSON.stringify({ event: 'campaign_feed_failed', campaign_id: c.id, error: (err as Error).message }));
      }
    }
    return fed;
  }

  /** Gives this feeder's leases back (shutdown), so another scheduler takes over at once. */
  async releaseLeases(owner: string): Promise<void> {
    await this.store.campaigns?.release(owner);
  }

  private async feedOne(repo: CampaignRepository, c: CampaignRecord, owner: string): Promise<number> {
    // Items a feeder took and did not finish feeding (it died in between): fed again, idempotently.
    const stale = await repo.feeding(c.id);
    if (stale.length) {
      await this.apply(c, stale);
      await repo.markFed(
        c.id,
        stale.map((i) => i.seq),
      );
    }
    let fed = 0;
    for (;;) {
      const p = await repo.progress(c.id);
      if (p.pending === 0 && unfinished(p) === 0) {
        if (await repo.setStatus(c.id, ['running'], 'done')) {
          this.logger.log(JSON.stringify({ event: 'campaign_done', campaign_id: c.id, matched: p.matched, done: p.done, failed: p.failed, cancelled: p.cancelled }));
        }
        return fed;
      }
      const room = Math.min(c.maxInFlight - unfinished(p), p.pending, FEED_BATCH);
      if (room <= 0) return fed;
      const items = await repo.takeNext(c.id, owner, room);
      if (items.length === 0) return fed;
      await this.apply(c, items);
      await repo.markFed(
        c.id,
        items.map((i) => i.seq),
      );
      fed += items.length;
      this.logger.log(JSON.stringify({ event: 'campaign_fed', campaign_id: c.id, fed: items.length, in_flight_before: unfinished(p), max_in_flight: c.maxInFlight }));
    }
  }

  /** Feeds items: assign creates the missing tasks (one already there is fine), rerun puts each task back to 201 (or 412). */
  private async apply(c: CampaignRecord, items: readonly CampaignItem[]): Promise<void> {
    if (c.action === 'assign') {
      await this.assignment.assign({ document_id: items.map((i) => i.documentId), key: c.selection.key, priority: c.priority, args: c.args });
      return;
    }
    const tasks = await this.store.tasks.findByIds(items.map((i) => i.taskId));
    const requests: TransitionRequest[] = [];
    const waitingDocs = new Set<string>();
    for (const task of tasks) {
      if (!RERUN_FROM.includes(task.state)) continue;
      const unmet = await this.unmet(task);
      if (unmet.length) waitingDocs.add(task.document_id);
      requests.push({
        id: task._id,
        from: RERUN_FROM,
        to: unmet.length ? TRANSITIONS.wait.to : TRANSITIONS.reset.to,
        msg: unmet.length ? waitingMessage(unmet) : `Campaign ${c.id}: rerun`,
        notBefore: null,
        retries: 'reset',
      });
    }
    if (requests.length) await this.store.tasks.transitionMany(requests);
    if (waitingDocs.size) await this.store.tasks.releaseDependants([...waitingDocs]);
  }

  private async unmet(task: DaneTask): Promise<string[]> {
    if (!task.depends_on?.length) return [];
    return unmetDependencies(await tasksOfDocument(this.store, task.document_id), task.depends_on);
  }

  private async find(id: string): Promise<CampaignRecord> {
    const record = await this.repo.findById(id);
    if (!record) throw new NotFoundError(`No campaign with id \`${id}\` found`);
    return record;
  }

  private async setStatus(id: string, from: CampaignStatus[], to: CampaignStatus, action: string): Promise<CampaignRecord> {
    const updated = await this.repo.setStatus(id, from, to);
    if (updated) return updated;
    const now = await this.find(id);
    throw new InvalidStateError(`Campaign \`${id}\` is ${now.status}; ${action} needs it ${from.join(' or ')}`);
  }

  private async view(record: CampaignRecord): Promise<CampaignView> {
    return campaignView(record, await this.repo.progress(record.id));
  }
}

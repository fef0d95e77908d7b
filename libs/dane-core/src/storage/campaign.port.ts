import type { CampaignAction, CampaignStatus, Page, PageRequest } from '@dane/protocol';

/**
 * Campaigns (docs/protocol.md, Campaigns): a selection of documents or tasks of one key, taken once when the
 * campaign is created (its items), then fed to the scheduler at most `maxInFlight` unfinished at a time. The SQL
 * stores keep them in `campaigns` and `campaign_items` (migration 6); the Elasticsearch store has none
 * (DaneStore.campaigns undefined; the API answers 501 naming the store).
 */
export interface CampaignSelection {
  key: string;
  /** Wildcard patterns (`*`, `?`) on the document's creator.id / target.id. */
  creatorId?: string;
  targetId?: string;
  documentIds?: string[];
  /** rerun: tasks in these states (default every state but 102). */
  states?: number[];
  /** rerun: tasks with a result of this generator (name upper-cased; version exact or below, dotted numbers). */
  generator?: { name?: string; version?: string; versionBelow?: string };
}

export interface NewCampaign {
  id: string;
  name: string | null;
  action: CampaignAction;
  selection: CampaignSelection;
  maxInFlight: number;
  /** assign: the new tasks' priority and args. */
  priority: number;
  args: Record<string, unknown>;
  createdAt: string;
}

export interface CampaignRecord extends NewCampaign {
  status: CampaignStatus;
  /** Items selected at creation. */
  matched: number;
  updatedAt: string;
  /** When it ended (done or cancelled), else null. */
  finishedAt: string | null;
}

/** One selected document (assign) or task (rerun); `taskId` is sha1(document id + key) either way. */
export interface CampaignItem {
  seq: number;
  documentId: string;
  taskId: string;
}

/**
 * Where the campaign's items are. `pending`: not fed yet; `feeding`: being fed (counted as unfinished, fed again
 * after a crash); the rest by the state of the item's task once fed: `queued` (201/205/412/502/503 not parked),
 * `running` (102), `done` (200), `failed` (waiting for a person: 400/403/404/422/500, retries spent, or the task
 * is gone), `cancelled` (a cancelled state, when the state table has one).
 */
export interface CampaignProgress {
  matched: number;
  pending: number;
  feeding: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
  /** Items done in the last 60 s. */
  doneLastMinute: number;
}

/** Counts and a sample of a selection, as a dry run answers them. */
export interface CampaignPreview {
  matched: number;
  /** rerun: matched tasks by their current state. */
  byState: Record<string, number>;
  sample: Array<{ document_id: string; task_id: string; state: number | null }>;
}

export interface CampaignRepository {
  /** Counts (exact) and the first `sampleSize` items of the selection; writes nothing. */
  preview(action: CampaignAction, selection: CampaignSelection, sampleSize: number): Promise<CampaignPreview>;
  /** Stores the campaign (status running) and its items — the selection as of now — in one transaction. */
  create(campaign: NewCampaign): Promise<CampaignRecord>;
  findById(id: string): Promise<CampaignRecord | null>;
  /** Newest first. */
  list(page: PageRequest): Promise<Page<CampaignRecord>>;
  /** Conditional status change (from one of `from`); null when it was not in one of them. `finished` stamps finished_at. */
  setStatus(id: string, from: readonly CampaignStatus[], to: CampaignStatus): Promise<CampaignRecord | null>;
  progress(id: string): Promise<CampaignProgress>;
  /**
   * The running campaigns this feeder may feed now: those whose lease is free, ran out, or is its own — each leased
   * to `owner` for `leaseMs` in the same conditional write, so of several schedulers one feeds a campaign at a time.
   */
  lease(owner: string, leaseMs: number, limit: number): Promise<CampaignRecord[]>;
  /** Gives the lease back (shutdown). */
  release(owner: string): Promise<void>;
  /** Items left in `feeding` (a feeder died between taking and feeding them). */
  feeding(id: string): Promise<CampaignItem[]>;
  /** The next `n` pending items → feeding, while `owner` holds the lease of the running campaign; [] otherwise. */
  takeNext(id: string, owner: string, n: number): Promise<CampaignItem[]>;
  /** Items fed → fed. */
  markFed(id: string, seqs: readonly number[]): Promise<void>;
  /** Task ids of the campaign's items that are fed or feeding and not finished (for cancel). */
  unfinishedTaskIds(id: string): Promise<string[]>;
}

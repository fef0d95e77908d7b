/**
 * When a write becomes visible to searches (GETs by id see every write at once, refreshed or not).
 *
 * - `wait_for` for creations and for every state change a reply, a person or a sweep makes
 *   (transition, release, lease expiry, dependency note). Clients list right after they write, and
 *   Python workers and dane-workflows only ever *search* (docs/protocol.md, What Python readers search): a worker that
 *   cannot yet find its dependency's 200 replies 412 for nothing. `wait_for` rides on the next
 *   scheduled refresh instead of forcing a segment per write as the original's `refresh=true` did.
 * - `claim` (no refresh) for the hot path of every dispatch: the claim (→ 102, attempt, lease);
 *   `false` for heartbeats. Nobody needs to find those by search within the second: readers by id
 *   use realtime GETs, and every search-driven write names the seq_no/primary_term of the hit it
 *   acts on, so a stale hit can only lose its conditional write, never win it. The two sweeps that
 *   must see claims cope with that: the lease sweep asks for one refresh per sweep where the user
 *   may (task-dispatch.ts, expireLeases) and the back-off lookup re-reads its candidates by id.
 * - Deleting and mass-resetting by query are followed by one explicit refresh where the user may
 *   (es-index.ts): rare operations whose effect the next list must show.
 *
 * An index with `index.refresh_interval: -1` (a common bulk-load setting) has no scheduled refresh:
 * a `wait_for` there waits until the request times out. Its mode, read at start (ensure-index.ts),
 * is `manual`, and writes that must become searchable refresh themselves (`refresh=true`, which the
 * `write` privilege allows), claims included: otherwise every dispatch search would find the tasks
 * claimed before as runnable again, and the lease sweep would never see them.
 */
export type Refresh = 'wait_for' | 'claim' | boolean;

/** `scheduled`: the index refreshes every refresh_interval (1 s by default); `manual`: never by itself. */
export type RefreshMode = 'scheduled' | 'manual';

export const REFRESH = {
  create: 'wait_for',
  stateChange: 'wait_for',
  delete: 'wait_for',
  claim: 'claim',
  heartbeat: false,
} as const satisfies Record<string, Refresh>;

/** The `refresh` parameter a write sends on an index refreshing in `mode`. */
export function refreshParam(refresh: Refresh, mode: RefreshMode): 'wait_for' | boolean {
  if (mode === 'manual') return refresh !== false;
  return refresh === 'claim' ? false : refresh;
}

/**
 * `index.refresh_interval` as GET /<index> renders it (only when set): `-1` or an interval at least as
 * long as a request may wait (ELASTICSEARCH.TIMEOUT) leaves nothing for `wait_for` to wait for.
 */
export function refreshModeOf(interval: unknown, timeoutMs: number): RefreshMode {
  if (interval === undefined || interval === null) return 'scheduled';
  const text = String(interval).trim();
  if (text === '-1') return 'manual';
  const m = /^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$/.exec(text);
  if (!m) return 'scheduled';
  const unitMs = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Number(m[1]) * unitMs >= timeoutMs ? 'manual' : 'scheduled';
}

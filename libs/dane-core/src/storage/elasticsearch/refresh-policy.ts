/**
 * When a write becomes visible to searches (GETs by id see every write at once, refreshed or not).
 *
 * - `wait_for` for creations and for every state change a reply, a person or a sweep makes
 *   (transition, release, lease expiry, dependency note). Clients list right after they write, and
 *   Python workers and dane-workflows only ever *search* (docs/protocol.md, What Python readers search): a worker that
 *   cannot yet find its dependency's 200 replies 412 for nothing. `wait_for` rides on the next
 *   scheduled refresh instead of forcing a segment per write as the original's `refresh=true` did.
 * - `false` for the hot path of every dispatch: the claim (→ 102, attempt, lease) and heartbeats.
 *   Nobody needs to find those by search within the second: readers by id use realtime GETs, and
 *   every search-driven write names the seq_no/primary_term of the hit it acts on, so a stale hit
 *   can only lose its conditional write, never win it. The two sweeps that must see claims cope
 *   with that: the lease sweep asks for one refresh per sweep (`refresh()` before its search;
 *   a no-op when nothing changed) and the back-off lookup re-reads its candidates by id.
 * - Deleting and mass-resetting by query refresh once afterwards (`refresh=true`), like the
 *   original (docs/protocol.md, Writes): rare operations whose effect the next list must show.
 */
export type Refresh = 'wait_for' | boolean;

export const REFRESH = {
  create: 'wait_for',
  stateChange: 'wait_for',
  delete: 'wait_for',
  claim: false,
  heartbeat: false,
} as const satisfies Record<string, Refresh>;

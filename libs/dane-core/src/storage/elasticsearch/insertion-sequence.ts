/**
 * Insertion order for tasks (`dane_node.seq`). Elasticsearch has no sequence shared by all
 * writers, and a task's `_seq_no` moves on every update. A thousand slots per clock millisecond,
 * never repeating or going back within this process; writers in other processes interleave by
 * their clocks, and equal values fall back to `_seq_no` in every sort. Stays below 2^53.
 */
let last = 0;

export function nextInsertionSeq(nowMs: number = Date.now()): number {
  last = Math.max(nowMs * 1000, last + 1);
  return last;
}

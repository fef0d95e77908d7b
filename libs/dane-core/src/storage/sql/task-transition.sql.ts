import { TransitionRequest } from '../store.port';
import { SQL_QUEUED } from './sql-states';

/** SQL expressions (placeholders or columns) carrying one transition's values. */
export interface TransitionValues {
  to: string;
  msg: string;
  now: string;
  keepUpdatedAt: string;
  notBeforeSet: string;
  notBefore: string;
  retries: string;
  dependsOn: string;
}

/**
 * The SET list shared by `transition` (bound parameters) and `transitionMany` (columns of an
 * unnest): state_changed_at moves only when the state does, the lease only lives in 102, an
 * undefined notBefore leaves it as it is, null clears it.
 */
export function transitionSet(v: TransitionValues, t = 't'): string {
  return `state = ${v.to},
    msg = ${v.msg},
    updated_at = CASE WHEN ${v.keepUpdatedAt} THEN ${t}.updated_at ELSE ${v.now} END,
    state_changed_at = CASE WHEN ${t}.state = ${v.to} THEN ${t}.state_changed_at ELSE now() END,
    lease_until = CASE WHEN ${v.to} = ${SQL_QUEUED} THEN ${t}.lease_until ELSE NULL END,
    not_before = CASE WHEN ${v.notBeforeSet} THEN ${v.notBefore} ELSE ${t}.not_before END,
    retries = CASE ${v.retries} WHEN 'reset' THEN 0 WHEN 'increment' THEN ${t}.retries + 1 ELSE ${t}.retries END,
    depends_on = COALESCE(${v.dependsOn}, ${t}.depends_on)`;
}

/** Columns of one request, as bound by `transition` (in this order after id, from, attempt). */
export function transitionParams(req: TransitionRequest, now: string): unknown[] {
  return [
    req.to,
    req.msg,
    now,
    req.keepUpdatedAt === true,
    req.notBefore !== undefined,
    req.notBefore ? req.notBefore.toISOString() : null,
    req.retries ?? null,
    req.dependsOn ?? null,
  ];
}

/** Per-request arrays for the unnest of `transitionMany`; nested lists travel as text. */
export function transitionArrays(reqs: TransitionRequest[], now: string): unknown[] {
  return [
    reqs.map((r) => r.id),
    reqs.map((r) => r.from.join(',')),
    reqs.map((r) => (r.attempt === undefined ? null : r.attempt)),
    reqs.map((r) => r.to),
    reqs.map((r) => r.msg),
    reqs.map(() => now),
    reqs.map((r) => r.keepUpdatedAt === true),
    reqs.map((r) => r.notBefore !== undefined),
    reqs.map((r) => (r.notBefore ? r.notBefore.toISOString() : null)),
    reqs.map((r) => r.retries ?? null),
    reqs.map((r) => (r.dependsOn ? JSON.stringify(r.dependsOn) : null)),
  ];
}

import { TaskState, isKnownState, stateInfo } from '../state/task-state';

export interface WorkerReply {
  state: number;
  message: string;
  /** Present on 412 replies: task keys (strings) or task dicts (§3.4). */
  dependencies?: Array<string | Record<string, unknown>>;
  /** Anything else the worker sent (e.g. `size`); ignored by the state machine. */
  extra: Record<string, unknown>;
}

export type ParsedReply = { ok: true; reply: WorkerReply } | { ok: false; reason: string };

/**
 * Parses a worker reply body leniently (§3.4–3.5): JSON object with `state` (number or numeric string)
 * and `message`; a double-encoded JSON string (dane ≥0.3.6 with a callback returning json.dumps) is
 * decoded once more; extra keys are kept aside. Never throws.
 */
export function parseReply(content: Buffer | string): ParsedReply {
  let data: unknown;
  try {
    data = JSON.parse(typeof content === 'string' ? content : content.toString('utf8'));
    if (typeof data === 'string') data = JSON.parse(data);
  } catch (e) {
    return { ok: false, reason: `reply is not JSON: ${String(e.message).slice(0, 120)}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, reason: 'reply is not a JSON object' };
  const { state: rawState, message, dependencies, ...extra } = data as Record<string, unknown>;
  const state = typeof rawState === 'number' ? rawState : typeof rawState === 'string' && /^\s*\d{3}\s*$/.test(rawState) ? parseInt(rawState, 10) : NaN;
  if (!Number.isInteger(state)) return { ok: false, reason: `reply has no valid state (got ${JSON.stringify(rawState ?? null)})` };
  if (!isKnownState(state) || state === TaskState.ALREADY_EXISTS) return { ok: false, reason: `reply state ${state} is not a DANE task state` };
  let deps: WorkerReply['dependencies'];
  if (dependencies !== undefined && dependencies !== null) {
    if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === 'string' || (typeof d === 'object' && d !== null && !Array.isArray(d)))) {
      return { ok: false, reason: 'reply dependencies must be a list of task keys or task objects' };
    }
    deps = dependencies as WorkerReply['dependencies'];
  }
  const msg = typeof message === 'string' ? message : message === undefined || message === null ? stateInfo(state)!.defaultMessage : JSON.stringify(message);
  return { ok: true, reply: { state, message: msg.slice(0, 10_000), dependencies: deps, extra } };
}

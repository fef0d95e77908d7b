import { STATE_TABLE, stateInfo, stateLabel as labelOfCode } from '@dane/protocol';

/** `500 ERROR` for a code or its text (the API sends states as strings); text that names no state stays as it is. */
export function stateLabel(code: number | string): string {
  const n = Number(code);
  return stateInfo(n) ? labelOfCode(n) : String(code);
}

/** Every state, for help texts and errors: `102 QUEUED, 200 SUCCESS, …`. */
export function stateList(): string {
  return STATE_TABLE.map((s) => `${s.code} ${s.name}`).join(', ');
}

/** `500`, `error`, `ERROR` → the code; undefined when it names no state. */
export function parseStateName(text: string): number | undefined {
  const t = text.trim();
  return STATE_TABLE.find((s) => String(s.code) === t || s.name === t.toUpperCase())?.code;
}

import { STATE_TABLE, stateInfo } from '@dane/protocol';

/** `500 ERROR`; a code outside the table stays a bare number. */
export function stateLabel(code: number | string): string {
  const n = Number(code);
  const info = stateInfo(n);
  return info ? `${n} ${info.name}` : String(code);
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

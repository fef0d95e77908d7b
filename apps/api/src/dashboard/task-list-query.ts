import { normaliseKey, STATE_TABLE, ValidationError } from '@dane/core';

/**
 * `?state=500,ERROR&state=412`: codes or names (any case), comma-separated or repeated. Unknown
 * ones are a 400 that lists the states.
 */
export function parseStates(raw: unknown): number[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return [
    ...new Set(
      parts.map((part) => {
        const info = STATE_TABLE.find((s) => String(s.code) === part || s.name === part.toUpperCase());
        if (!info)
          throw new ValidationError(`state must be task states (codes or names): ${STATE_TABLE.map((s) => `${s.code} ${s.name}`).join(', ')} (got ${JSON.stringify(part)})`);
        return info.code;
      }),
    ),
  ];
}

export function parseKey(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  return normaliseKey(raw, 'key');
}

/** `?needs_person=true|1|false|0`; absent or empty: no filter. Anything else is a 400 naming the field. */
export function parseFlag(raw: unknown, field: string): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ValidationError(`${field} must be true or false (got ${JSON.stringify(raw)})`);
}

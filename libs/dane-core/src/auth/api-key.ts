import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Role } from './roles';

/** A stored API key: never the secret itself, only its salted hash. */
export interface ApiKeyRecord {
  /** The public part of the key (`dane_<id>_<secret>`), its lookup id. */
  id: string;
  name: string;
  role: Role;
  /** Hex; per key. */
  salt: string;
  /** Hex sha256(salt ‖ secret). */
  hash: string;
  created_at: string;
  last_used_at: string | null;
}

/** What the API shows of a key: everything but salt and hash. */
export type ApiKeyView = Omit<ApiKeyRecord, 'salt' | 'hash'>;

export function apiKeyView(record: ApiKeyRecord): ApiKeyView {
  const { id, name, role, created_at, last_used_at } = record;
  return { id, name, role, created_at, last_used_at };
}

export const API_KEY_PREFIX = 'dane_';
const TOKEN_PATTERN = /^dane_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/**
 * A new key: 64 random bits of id, 256 random bits of secret. The secret has full entropy, so one
 * sha256 with a per-key salt is enough (no password stretching needed) and keeps every request cheap.
 */
export function generateApiKey(): { id: string; secret: string; token: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${API_KEY_PREFIX}${id}_${secret}` };
}

/** `dane_<id>_<secret>` → its parts; null for anything else. */
export function parseApiKey(token: string): { id: string; secret: string } | null {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { id: m[1], secret: m[2] } : null;
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

export function hashSecret(secret: string, salt: string): string {
  return createHash('sha256').update(Buffer.from(salt, 'hex')).update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, record: Pick<ApiKeyRecord, 'salt' | 'hash'>): boolean {
  const presented = Buffer.from(hashSecret(secret, record.salt), 'hex');
  const stored = Buffer.from(record.hash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Constant-time equality of two arbitrary strings (the DANE_ADMIN_TOKEN check). */
export function sameToken(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

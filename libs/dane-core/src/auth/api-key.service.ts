import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError, Page, PageRequest } from '@dane/protocol';
import { DANE_STORE, DaneStore } from '../storage/store.port';
import { ApiKeyView, apiKeyView, generateApiKey, hashSecret, newSalt, parseApiKey, secretMatches } from './api-key';
import { Principal } from './principal';
import { isRole, Role, ROLES } from './roles';

export const MAX_KEY_NAME_LENGTH = 200;
/** last_used_at is written at most this often per key, so reads do not turn into writes. */
const TOUCH_INTERVAL_MS = 60_000;
/**
 * A verified key is trusted this long without asking the store again (one query less per request).
 * A key revoked through another replica stops working there within this time; through this one, at once.
 */
export const KEY_CACHE_MS = 5_000;
const KEY_CACHE_MAX = 10_000;

/** A key as created: the only moment its token exists outside the caller's hands. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
}

/** Creates, lists, revokes and checks API keys; the store keeps only salted hashes. */
@Injectable()
export class ApiKeyService {
  private readonly touched = new Map<string, number>();
  /** token → principal and until when it is trusted; only keys that verified. */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}

  async create(name: unknown, role: unknown): Promise<CreatedApiKey> {
    if (typeof name !== 'string' || name.trim() === '') throw new ValidationError('name must be a non-empty string');
    if (name.length > MAX_KEY_NAME_LENGTH) throw new ValidationError(`name must be at most ${MAX_KEY_NAME_LENGTH} characters`);
    if (!isRole(role)) throw new ValidationError(`role must be one of ${ROLES.join(', ')} (got ${JSON.stringify(role)})`);
    const { id, secret, token } = generateApiKey();
    const salt = newSalt();
    const record = { id, name: name.trim(), role: role as Role, salt, hash: hashSecret(secret, salt), created_at: new Date().toISOString(), last_used_at: null };
    await this.store.apiKeys.insert(record);
    return { ...apiKeyView(record), key: token };
  }

  async list(page: PageRequest): Promise<Page<ApiKeyView>> {
    const found = await this.store.apiKeys.list(page);
    return { ...found, items: found.items.map(apiKeyView) };
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.store.apiKeys.delete(id))) throw new NotFoundError(`No API key with id \`${id}\` found`);
    this.touched.delete(id);
    for (const [token, entry] of this.verified) if (entry.principal.id === id) this.verified.delete(token);
  }

  count(): Promise<number> {
    return this.store.apiKeys.count();
  }

  /** The principal of a stored key, or null when the token is not one (malformed, unknown, revoked, wrong secret). */
  async authenticate(token: string): Promise<Principal | null> {
    const cached = this.verified.get(token);
    if (cached && cached.until > Date.now()) {
      this.noteUse(cached.principal.id);
      return cached.principal;
    }
    const parts = parseApiKey(token);
    if (!parts) return null;
    const record = await this.store.apiKeys.findById(parts.id);
    if (!record || !secretMatches(parts.secret, record)) {
      this.verified.delete(token);
      return null;
    }
    this.noteUse(record.id);
    const principal = { id: record.id, name: record.name, role: record.role };
    if (this.verified.size >= KEY_CACHE_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, until: Date.now() + KEY_CACHE_MS });
    return principal;
  }

  /**
   * Single-machine mode's first start: when no key exists, creates an admin key and returns its
   * token (to be shown once); null when keys exist already.
   */
  async bootstrapAdmin(): Promise<CreatedApiKey | null> {
    if ((await this.store.apiKeys.count()) > 0) return null;
    return this.create('bootstrap admin', 'admin');
  }

  private noteUse(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.touched.set(id, now);
    void this.store.apiKeys.touch(id, new Date(now).toISOString()).catch(() => undefined);
  }
}

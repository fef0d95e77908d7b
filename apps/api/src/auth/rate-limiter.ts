import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SETTINGS, AuthSettings } from './auth-settings';

const WINDOW_MS = 60_000;

/**
 * Submissions per caller per minute, in fixed one-minute windows, in this process (each API
 * replica counts its own). Returns the seconds to wait when the caller is over the limit.
 */
@Injectable()
export class RateLimiter {
  private windowStart = 0;
  private counts = new Map<string, number>();

  constructor(@Inject(AUTH_SETTINGS) private readonly settings: AuthSettings) {}

  /** Counts one request of `caller`; null when allowed, else the Retry-After seconds. */
  take(caller: string, now = Date.now()): number | null {
    const limit = this.settings.ratePerMinute;
    if (limit <= 0) return null;
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now - (now % WINDOW_MS);
      this.counts = new Map();
    }
    const used = (this.counts.get(caller) ?? 0) + 1;
    if (used > limit) return Math.max(1, Math.ceil((this.windowStart + WINDOW_MS - now) / 1000));
    this.counts.set(caller, used);
    return null;
  }
}

import { ConfigService } from '@nestjs/config';

/** The AUTH config section, read once. */
export interface AuthSettings {
  enabled: boolean;
  anonymousRead: boolean;
  adminToken?: string;
  ratePerMinute: number;
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

export function authSettings(config: ConfigService): AuthSettings {
  const token = config.get<unknown>('AUTH.ADMIN_TOKEN');
  return {
    enabled: config.get<unknown>('AUTH.ENABLED') !== false,
    anonymousRead: config.get<unknown>('AUTH.ANONYMOUS_READ') === true,
    adminToken: token === null || token === undefined || token === '' ? undefined : String(token),
    ratePerMinute: Number(config.get<unknown>('AUTH.RATE_LIMIT_PER_MINUTE') ?? 0),
  };
}

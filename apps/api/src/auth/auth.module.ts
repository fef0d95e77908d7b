import { Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiKeyService } from '@dane/core';
import { AuthGuard } from './auth.guard';
import { AUTH_SETTINGS, AuthSettings, authSettings } from './auth-settings';
import { Authenticator } from './authenticator.service';
import { KeysController } from './keys.controller';
import { RateLimiter } from './rate-limiter';

/** Says at start-up how the API is protected, and warns when nobody could use it yet. */
@Injectable()
class AuthStartupReport implements OnApplicationBootstrap {
  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly keys: ApiKeyService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = new Logger('DaneAuth');
    const s = this.settings;
    if (!s.enabled) {
      logger.log(JSON.stringify({ event: 'auth_disabled', message: 'AUTH.ENABLED is false: every caller may read, submit, retry and delete' }));
      return;
    }
    const keys = await this.keys.count().catch(() => undefined);
    logger.log(JSON.stringify({ event: 'auth_enabled', keys, admin_token: Boolean(s.adminToken), anonymous_read: s.anonymousRead, rate_limit_per_minute: s.ratePerMinute }));
    if (keys === 0 && !s.adminToken) {
      logger.warn(
        JSON.stringify({
          event: 'auth_no_keys',
          message: 'No API key exists and DANE_ADMIN_TOKEN is not set: single-machine mode creates an admin key now; elsewhere set DANE_ADMIN_TOKEN',
        }),
      );
    }
  }
}

/**
 * API keys and roles: the AuthGuard (run on every route by ApiModule's ApiRequestGuard), key management at /DANE/keys, the
 * per-key rate limit. Needs the global DANE_STORE and ConfigService (AUTH section).
 */
@Module({
  controllers: [KeysController],
  providers: [{ provide: AUTH_SETTINGS, inject: [ConfigService], useFactory: authSettings }, ApiKeyService, Authenticator, RateLimiter, AuthStartupReport, AuthGuard],
  // AuthGuard runs on every route through ApiModule's global ApiRequestGuard.
  exports: [ApiKeyService, Authenticator, AUTH_SETTINGS, AuthGuard],
})
export class AuthModule {}

import { INestApplication, Logger } from '@nestjs/common';
import { ApiKeyService } from '@dane/core';
import { AUTH_SETTINGS, AuthSettings } from './auth-settings';

export interface BootstrapOptions {
  /** Where the key is shown (default: stderr). */
  write?: (text: string) => void;
}

/**
 * Single-machine mode's first start: with auth on, no DANE_ADMIN_TOKEN and no key in the store,
 * creates an admin key and writes it once to stderr (never to the log). Returns the key, or null
 * when nothing was created.
 */
export async function bootstrapAdminKey(app: INestApplication, options: BootstrapOptions = {}): Promise<string | null> {
  const settings = app.get<AuthSettings>(AUTH_SETTINGS);
  if (!settings.enabled || settings.adminToken) return null;
  const created = await app.get(ApiKeyService).bootstrapAdmin();
  if (!created) return null;
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  write(
    [
      '',
      'dane: no API key existed, so an admin key was created. It is shown only this once; keep it:',
      '',
      `  export DANE_TOKEN=${created.key}`,
      '',
      'Send it as `Authorization: Bearer $DANE_TOKEN`; the dane CLI reads DANE_TOKEN. Make keys with fewer rights',
      'with `dane keys create <name> --role submit` (or POST /DANE/keys/).',
      '',
    ].join('\n'),
  );
  new Logger('DaneAuth').log(JSON.stringify({ event: 'bootstrap_admin_key_created', key_id: created.id }));
  return created.key;
}

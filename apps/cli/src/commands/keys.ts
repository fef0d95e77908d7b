import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { printJson, printLines } from '../output/print';
import { renderTable } from '../output/table';

const NAME = 'keys';
const ROLES = ['read', 'submit', 'operate', 'admin'];

interface KeyView {
  id: string;
  name: string;
  role: string;
  created_at: string;
  last_used_at: string | null;
  key?: string;
}

export const keysCommand: Command = {
  name: NAME,
  summary: 'API keys: list, create (shown once), revoke (needs an admin key)',
  help: `Usage: dane keys list
       dane keys create <name> --role read|submit|operate|admin
       dane keys revoke <id>

Manages the API keys of the server (GET/POST/DELETE /DANE/keys/); needs an admin key in
--token or DANE_TOKEN. A created key is printed once and stored only as a salted hash.
Roles: read < submit (documents, tasks, results) < operate (retry, reset, delete) < admin (keys).`,
  options: { role: { type: 'string' } },
  async run(ctx) {
    const [action, ...rest] = ctx.positionals;
    if (action === 'list' && rest.length === 0) {
      const { body } = await ctx.client.http.get<{ total: number; keys: KeyView[] }>('/DANE/keys/', { size: 1000 });
      if (ctx.json) printJson(ctx.io, body);
      else if (body.keys.length === 0) printLines(ctx.io, ['no keys']);
      else
        printLines(
          ctx.io,
          renderTable(
            [{ header: 'ID' }, { header: 'ROLE' }, { header: 'NAME', max: 40 }, { header: 'CREATED' }, { header: 'LAST USED' }],
            body.keys.map((k) => [k.id, k.role, k.name, k.created_at, k.last_used_at ?? '-']),
          ),
        );
      return ExitCode.OK;
    }
    if (action === 'create' && rest.length === 1) {
      const role = ctx.options.role;
      if (typeof role !== 'string' || !ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`, NAME);
      const { body } = await ctx.client.http.post<KeyView>('/DANE/keys/', { name: rest[0], role });
      if (ctx.json) printJson(ctx.io, body);
      else printLines(ctx.io, [`key ${body.id} (${body.role}) for ${body.name}; shown only now:`, '', `  ${body.key}`]);
      return ExitCode.OK;
    }
    if (action === 'revoke' && rest.length === 1) {
      await ctx.client.http.delete(`/DANE/keys/${encodeURIComponent(rest[0])}`);
      if (ctx.json) printJson(ctx.io, { revoked: rest[0] });
      else printLines(ctx.io, [`key ${rest[0]} revoked`]);
      return ExitCode.OK;
    }
    throw new UsageError('give list, create <name> --role ROLE, or revoke <id>', NAME);
  },
};

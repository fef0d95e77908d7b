import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Generator } from '@dane/protocol';

function insideGitRepo(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return true;
    if (dirname(d) === d) return false;
  }
}

function git(args: string[], cwd: string): string | null {
  try {
    const out = execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return out || null;
  } catch {
    return null;
  }
}

/**
 * The version of the nearest package.json from `dir` upwards that names one (the worker's package), or null. Campaigns
 * select results by it (docs/protocol.md, Campaigns: re-run what an older version made).
 */
export function packageVersion(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file)) {
      try {
        const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
        if (typeof version === 'string' && version !== '') return version;
      } catch {
        // not JSON: look further up
      }
    }
    if (dirname(d) === d) return null;
  }
}

/**
 * The result generator as base_worker builds it (docs/protocol.md, Work folders): in a git checkout
 * `{id: short rev, name: queue, type: Software, homepage: origin url}`. Python left it None elsewhere,
 * which broke Result.save; containerised workers get id `unknown` instead (pass `generator` to say more).
 * Ours adds `version` (the worker's package version, see packageVersion) when there is one.
 */
export function defaultGenerator(queue: string, cwd = process.cwd(), version: string | null = packageVersion(cwd)): Generator {
  const rev = insideGitRepo(cwd) ? git(['rev-parse', '--short', 'HEAD'], cwd) : null;
  return {
    id: rev ?? 'unknown',
    name: queue,
    type: 'Software',
    homepage: rev ? git(['config', '--get', 'remote.origin.url'], cwd) : null,
    ...(version ? { version } : {}),
  };
}

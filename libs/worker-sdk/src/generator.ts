import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
 * The result generator as base_worker builds it (docs/protocol.md, Work folders): in a git checkout
 * `{id: short rev, name: queue, type: Software, homepage: origin url}`. Python left it None elsewhere,
 * which broke Result.save; containerised workers get id `unknown` instead (pass `generator` to say more).
 */
export function defaultGenerator(queue: string, cwd = process.cwd()): Generator {
  const rev = insideGitRepo(cwd) ? git(['rev-parse', '--short', 'HEAD'], cwd) : null;
  return {
    id: rev ?? 'unknown',
    name: queue,
    type: 'Software',
    homepage: rev ? git(['config', '--get', 'remote.origin.url'], cwd) : null,
  };
}

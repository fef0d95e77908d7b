import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * The folder whose `base_config.yml` a worker reads (layer 3 of docs/protocol.md, Configuration). Workers
 * pass `__dirname`; after a build that is `dist/workers/<name>`, and tsc does not copy `.yml` files, so when
 * the compiled folder has no base_config.yml we look in the mirrored source folder (`workers/<name>`).
 */
export function locateBaseDir(dir: string): string {
  if (existsSync(join(dir, 'base_config.yml'))) return dir;
  const parts = dir.split(sep);
  const dist = parts.lastIndexOf('dist');
  if (dist >= 0) {
    const source = [...parts.slice(0, dist), ...parts.slice(dist + 1)].join(sep);
    if (existsSync(join(source, 'base_config.yml'))) return source;
  }
  return dir;
}

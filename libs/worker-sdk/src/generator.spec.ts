import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateBaseDir } from './base-dir';
import { defaultGenerator } from './generator';

describe('worker defaults', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'dane-defaults-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('outside a git checkout the generator is the queue name with id unknown', () => {
    expect(defaultGenerator('filesize_queue', root)).toEqual({ id: 'unknown', name: 'filesize_queue', type: 'Software', homepage: null });
  });

  it('finds base_config.yml in the source folder when the compiled folder under dist/ has none', () => {
    const src = join(root, 'workers', 'filesize');
    const compiled = join(root, 'dist', 'workers', 'filesize');
    mkdirSync(src, { recursive: true });
    mkdirSync(compiled, { recursive: true });
    writeFileSync(join(src, 'base_config.yml'), 'FILESIZE_WORKER:\n  UNIT: KB\n');
    expect(locateBaseDir(compiled)).toBe(src);
    writeFileSync(join(compiled, 'base_config.yml'), 'FILESIZE_WORKER:\n  UNIT: MB\n');
    expect(locateBaseDir(compiled)).toBe(compiled);
  });
});

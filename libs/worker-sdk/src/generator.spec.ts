import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateBaseDir } from './base-dir';
import { defaultGenerator, packageVersion } from './generator';

describe('worker defaults', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'dane-defaults-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('outside a git checkout the generator is the queue name with id unknown', () => {
    expect(defaultGenerator('filesize_queue', root)).toEqual({ id: 'unknown', name: 'filesize_queue', type: 'Software', homepage: null });
  });

  it('records the version of the nearest package.json, or the one given', () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'my-worker', version: '2.3.1' }));
    const below = join(root, 'dist', 'worker');
    mkdirSync(below, { recursive: true });
    expect(packageVersion(below)).toBe('2.3.1');
    expect(defaultGenerator('asr_queue', below)).toEqual({ id: 'unknown', name: 'asr_queue', type: 'Software', homepage: null, version: '2.3.1' });
    expect(defaultGenerator('asr_queue', below, '3.0')).toMatchObject({ version: '3.0' });
    expect(defaultGenerator('asr_queue', below, null)).not.toHaveProperty('version');
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

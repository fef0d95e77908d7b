import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaneWorker } from './dane-worker';
import { dirRoots, documentDirs, idChunks } from './dirs';
import { builtInDefaults } from '@dane/protocol';

const ID = '03d28a03643a981284b403b91b95f6048576c234';

class DirsWorker extends DaneWorker {
  callback() {
    return { state: 200, message: 'unused' };
  }
}

describe('getDirs (docs/protocol.md, Work folders)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'dane-dirs-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('splits the first six characters of the id into three folders', () => {
    expect(idChunks(ID)).toEqual(['03', 'd2', '8a']);
    expect(idChunks('abc')).toEqual(['ab', 'c']);
  });

  it('lays out <TEMP>/03/d2/8a/<id> and <OUT>/03/d2/8a/<id> from PATHS and creates them', () => {
    const config = builtInDefaults('/tmp/');
    config.PATHS = { TEMP_FOLDER: join(root, 'TEMP'), OUT_FOLDER: join(root, 'OUT') };
    const worker = new DirsWorker({ queue: 'DIRS', bindingKey: '#.DIRS', config, generator: { id: 'x', name: 'DIRS', type: 'Software', homepage: null } });
    const dirs = worker.getDirs({ _id: ID });
    expect(dirs).toEqual({ TEMP_FOLDER: join(root, 'TEMP', '03', 'd2', '8a', ID), OUT_FOLDER: join(root, 'OUT', '03', 'd2', '8a', ID) });
    expect(existsSync(dirs.TEMP_FOLDER) && existsSync(dirs.OUT_FOLDER)).toBe(true);
  });

  it('creates only what it is asked to', () => {
    const dirs = documentDirs({ TEMP_FOLDER: join(root, 'T'), OUT_FOLDER: join(root, 'O') }, ID, false, true);
    expect(existsSync(dirs.TEMP_FOLDER)).toBe(false);
    expect(existsSync(dirs.OUT_FOLDER)).toBe(true);
  });

  it('lets task.args.PATHS override the configured roots', () => {
    const roots = dirRoots({ TEMP_FOLDER: './TEMP', OUT_FOLDER: './OUT' }, { PATHS: { TEMP_FOLDER: '/data/tmp' } });
    expect(roots).toEqual({ TEMP_FOLDER: '/data/tmp', OUT_FOLDER: './OUT' });
    expect(documentDirs(roots, ID, false, false).TEMP_FOLDER).toBe(`/data/tmp/03/d2/8a/${ID}`);
  });
});

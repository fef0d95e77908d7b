import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ConfigError, StorageUnavailableError, builtInDefaults } from '@dane/protocol';
import { PGLITE_MEMORY_DEFAULTS, PgliteSqlClient, pgliteMemoryFromConfig, pgliteStartParams } from './pglite-client';

// The module object pglite-client.ts calls execFile on (a namespace import would be a copy).
const childProcess = require('node:child_process') as typeof import('node:child_process');
const v8 = require('node:v8') as typeof import('node:v8');

/** PGlite's memory bounds (STORAGE.PGLITE_…) and the out-of-process initdb of a new data directory. */
describe('PGlite memory settings', () => {
  const root = mkdtempSync(join(tmpdir(), 'dane-pglite-mem-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => jest.restoreAllMocks());

  async function show(client: PgliteSqlClient, names: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of names) {
      const { rows } = await client.query<Record<string, string>>(`SHOW ${name}`);
      out[name] = rows[0][name];
    }
    return out;
  }
  const NAMES = ['shared_buffers', 'wal_buffers', 'work_mem', 'maintenance_work_mem', 'temp_buffers'];

  it('applies the defaults inside PGlite (shared_buffers 16MB instead of PostgreSQL’s 128MB)', async () => {
    const client = await PgliteSqlClient.open();
    try {
      expect(await show(client, NAMES)).toEqual({
        shared_buffers: '16MB',
        wal_buffers: '512kB', // '' = 1/32 of shared_buffers
        work_mem: '4MB',
        maintenance_work_mem: '16MB',
        temp_buffers: '8MB',
      });
    } finally {
      await client.close();
    }
  });

  it('applies configured values to a file-backed database, on its first start and after a restart', async () => {
    const dataDir = join(root, 'configured');
    const memory = { sharedBuffers: '24MB', walBuffers: '1MB', workMem: '2MB', maintenanceWorkMem: '8MB', tempBuffers: '2MB' };
    const expected = { shared_buffers: '24MB', wal_buffers: '1MB', work_mem: '2MB', maintenance_work_mem: '8MB', temp_buffers: '2MB' };
    for (let start = 0; start < 2; start++) {
      const client = await PgliteSqlClient.open(dataDir, memory);
      try {
        expect(await show(client, NAMES)).toEqual(expected);
      } finally {
        await client.close();
      }
    }
    const changed = await PgliteSqlClient.open(dataDir, { sharedBuffers: '8MB' });
    try {
      expect((await show(changed, ['shared_buffers'])).shared_buffers).toBe('8MB');
    } finally {
      await changed.close();
    }
  });

  it('keeps PGlite’s own start parameters (durability settings unchanged) and adds only the memory settings', () => {
    const params = pgliteStartParams({ walBuffers: '', workMem: '1MB' });
    expect(params.slice(0, PGlite.defaultStartParams.length)).toEqual(PGlite.defaultStartParams);
    expect(params.slice(PGlite.defaultStartParams.length)).toEqual([
      '-c',
      'shared_buffers=16MB',
      '-c',
      'work_mem=1MB',
      '-c',
      'maintenance_work_mem=16MB',
      '-c',
      'temp_buffers=8MB',
    ]);
  });

  it('refuses a value that is not a PostgreSQL size, naming the STORAGE key', async () => {
    expect(() => pgliteStartParams({ sharedBuffers: 'lots' })).toThrow(ConfigError);
    expect(() => pgliteStartParams({ workMem: '4 MB' })).toThrow(/STORAGE\.PGLITE_WORK_MEM/);
    expect(() => pgliteStartParams({ tempBuffers: '0' })).toThrow(/STORAGE\.PGLITE_TEMP_BUFFERS/);
    await expect(PgliteSqlClient.open(undefined, { maintenanceWorkMem: '1mb' })).rejects.toThrow(/STORAGE\.PGLITE_MAINTENANCE_WORK_MEM/);
  });

  it('runs PGlite’s WebAssembly on V8’s baseline compiler unless PGLITE_WASM_TIER_UP', async () => {
    const flags = jest.spyOn(v8, 'setFlagsFromString');
    await (await PgliteSqlClient.open(undefined, { wasmTierUp: true })).close();
    expect(flags).not.toHaveBeenCalled();
    await (await PgliteSqlClient.open()).close();
    expect(flags).toHaveBeenCalledWith('--liftoff-only');
    await expect(PgliteSqlClient.open(undefined, { wasmTierUp: 'no' as unknown as boolean })).rejects.toThrow(/STORAGE\.PGLITE_WASM_TIER_UP/);
  });

  it('reads the STORAGE keys, whose built-in defaults are the adapter’s', () => {
    const storage = builtInDefaults('/tmp/').STORAGE as Record<string, unknown>;
    const fromConfig = pgliteMemoryFromConfig((key) => storage[key.replace(/^STORAGE\./, '')]);
    expect(fromConfig).toEqual(PGLITE_MEMORY_DEFAULTS);
    expect(pgliteMemoryFromConfig((key) => (key === 'STORAGE.PGLITE_SHARED_BUFFERS' ? '32MB' : undefined))).toEqual({ sharedBuffers: '32MB' });
  });

  it('makes a new data directory in a child process, not in this one', async () => {
    const spawned = jest.spyOn(childProcess, 'execFile');
    const dataDir = join(root, 'fresh', 'db');
    const client = await PgliteSqlClient.open(dataDir);
    try {
      expect(spawned).toHaveBeenCalledTimes(1);
      expect(spawned.mock.calls[0][0]).toBe(process.execPath);
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
      expect(readdirSync(join(root, 'fresh'))).toEqual(['db']); // the staging directory was renamed into place
    } finally {
      await client.close();
    }
    // An existing database is opened as it is.
    const again = await PgliteSqlClient.open(dataDir);
    await again.close();
    expect(spawned).toHaveBeenCalledTimes(1);
  });

  it('leaves nothing behind when initdb fails', async () => {
    jest.spyOn(childProcess, 'execFile').mockImplementation(((_file: string, _args: string[], _opts: unknown, cb: (err: Error | null, out: string, err2: string) => void) => {
      cb(new Error('exit 1'), '', 'boom: out of memory');
      return {} as ChildProcess;
    }) as unknown as typeof childProcess.execFile);
    const dataDir = join(root, 'failing', 'db');
    await expect(PgliteSqlClient.open(dataDir)).rejects.toThrow(StorageUnavailableError);
    await expect(PgliteSqlClient.open(dataDir)).rejects.toThrow(/initdb failed: boom: out of memory/);
    expect(readdirSync(join(root, 'failing'))).toEqual([]);
  });
});

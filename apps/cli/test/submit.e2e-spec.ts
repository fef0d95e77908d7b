import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DaneClient } from '@dane/client';
import { TaskState } from '@dane/protocol';
import { ApiServer, startApiServer } from '../../../test/support/api-server';
import { dane } from '../../../test/support/run-dane';

describe('dane submit (real API, PGlite)', () => {
  let server: ApiServer;
  let client: DaneClient;
  let work: string;
  const file = (name: string, text: string) => {
    const path = join(work, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    server = await startApiServer();
    client = new DaneClient({ baseUrl: server.url });
    work = mkdtempSync(join(tmpdir(), 'dane-submit-'));
  });
  afterAll(() => server.close());

  describe('a folder of media files', () => {
    let media: string;
    beforeAll(() => {
      media = join(work, 'media');
      mkdirSync(join(media, 'sub'), { recursive: true });
      writeFileSync(join(media, 'a.mp4'), 'video');
      writeFileSync(join(media, 'sub', 'b b.WAV'), 'sound');
      writeFileSync(join(media, 'notes.xyz'), '?');
      writeFileSync(join(media, '.DS_Store'), '');
    });

    it('registers every media file (id = relative path, file:// url, type by extension) and assigns the keys', async () => {
      const run = await dane(['submit', media, '--key', 'filesize', '--key', 'asr', '--depends-on', 'FILESIZE', '--creator-id', 'NISV', '--url', server.url]);
      expect(run).toMatchObject({
        code: 0,
        stdout:
          'documents: 2 registered, 0 already there, 0 failed\ntasks FILESIZE: 2 assigned, 0 already assigned, 0 failed\ntasks ASR: 2 assigned, 0 already assigned, 0 failed\n',
      });
      expect(run.stderr).toContain('skipped notes.xyz (unknown type; give --type)');
      expect(run.stderr).toContain('documents: 2/2 (100%)');
      expect(run.stderr).not.toContain('DS_Store');

      const docs = await client.search({ creatorId: 'NISV' }).all();
      expect(docs.map((d) => [d.target.id, d.target.type, d.target.url])).toEqual([
        ['a.mp4', 'Video', pathToFileURL(join(media, 'a.mp4')).href],
        ['sub/b b.WAV', 'Sound', pathToFileURL(join(media, 'sub', 'b b.WAV')).href],
      ]);
      const tasks = await docs[1].getAssignedTasks();
      expect(tasks.map((t) => [t.key, t.stateCode])).toEqual([
        ['FILESIZE', TaskState.CREATED],
        ['ASR', TaskState.UNFINISHED_DEPENDENCY],
      ]);
    });

    it('submitting it again is no failure: documents already there, tasks already assigned', async () => {
      const run = await dane(['submit', media, '--key', 'FILESIZE', '--creator-id', 'NISV', '--url', server.url, '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        documents: { registered: 0, existing: 2, failed: [] },
        tasks: { FILESIZE: { assigned: 0, already_assigned: 2, failed: [] } },
      });
    });
  });

  it('reads a CSV in chunks, printing a line per chunk when stderr is no terminal', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => `CSV-${i},http://example.com/${i}.mp4,Video`);
    const csv = file('five.csv', ['target_id,url,type', ...rows].join('\r\n') + '\r\n');
    const run = await dane(['submit', csv, '--key', 'ASR', '--chunk-size', '2', '--url', server.url]);
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('documents:'))).toEqual(['documents: 2/5 (40%)', 'documents: 4/5 (80%)', 'documents: 5/5 (100%)']);
    expect(run.stderr).toContain('tasks ASR: 5/5 (100%)');
    expect(await client.search({ targetId: 'CSV-*', creatorId: 'tester' }).total()).toBe(5);
  });

  it('redraws one progress line on a terminal', async () => {
    const csv = file('tty.csv', 'target_id,url\nTTY-1,http://example.com/t.mp4\n');
    const run = await dane(['submit', csv, '--type', 'Video', '--url', server.url], { tty: true });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/\r\x1b\[2Kdocuments \[#{28}\] 100% 1\/1 · [\d.]+\/s\n/);
  });

  it('names the bad line of a CSV, exits 2 and sends nothing', async () => {
    const csv = file('bad.csv', 'target_id,url,type\nBAD-1,http://example.com/1.mp4,Video\n"BAD-2","http://example.com/2.mp4",Movie\n');
    const run = await dane(['submit', csv, '--key', 'ASR', '--url', server.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('dane: bad.csv line 3: type must be one of Dataset, Image, Video, Sound, Text (got "Movie")\n  nothing was sent to the server\n');
    expect(await client.search({ targetId: 'BAD-*' }).total()).toBe(0);
  });

  it('names the line of a CSV row with the wrong number of fields', async () => {
    const csv = file('fields.csv', 'target_id,url,type\n\nF-1,http://x/1,Video,extra\n');
    const run = await dane(['submit', csv, '--url', server.url]);
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('fields.csv line 3: expected 3 fields (target_id,url,type), found 4') });
  });

  it('reports documents the server refused with their item number, and exits 4', async () => {
    const list = file(
      'list.json',
      JSON.stringify([
        { target_id: 'J-1', url: 'http://example.com/1.mp4', type: 'Video' },
        { target: { id: 'J-2', url: 'http://example.com/2.mp4', type: 'Video' }, creator: { id: 'X', type: 'Robot' } },
      ]),
    );
    const run = await dane(['submit', list, '--key', 'ASR', '--url', server.url]);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain('documents: 1 registered, 0 already there, 1 failed');
    expect(run.stderr).toContain('failed: list.json item 2: creator.type must be one of Organization, Human, Software (got "Robot")');
  });

  it('names the line and column of broken JSON', async () => {
    const list = file('broken.json', '[\n  {"target_id": "B", "url": "u", "type": "Video"},\n  {"target_id": }\n]');
    const run = await dane(['submit', list, '--url', server.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^dane: broken\.json line 3 column \d+: not JSON: /);
  });
});

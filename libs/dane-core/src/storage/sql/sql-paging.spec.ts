import { NOT_ERRORED_STATES, TaskState, UNFINISHED_EXCLUDED_STATES, encodeCursor, PageRequest } from '@dane/protocol';
import { DaneStore } from '../store.port';
import { migrate } from './migrations';
import { PgliteSqlClient } from './pglite-client';
import { PostgresSqlClient } from './postgres-client';
import { testSchema } from './postgres-test-db';
import { SqlClient, SqlExecutor } from './sql-client';
import { documentSearch } from './sql-document.repository';
import { SqlList, pageStatement, readSqlPage } from './sql-paging';
import { SqlParams } from './sql-params';
import { resultFind } from './sql-result.repository';
import { SqlStore } from './sql-store';
import { taskList } from './sql-task.repository';
import { makeDocument, makeTask } from './store-contract.fixtures';

const S = TaskState;

/** A store counting exactly up to 5 items only, so a dozen rows take the estimate path. */
async function smallLimitStore(kind: 'pglite' | 'postgres', client: SqlClient): Promise<DaneStore> {
  await migrate(client);
  return new SqlStore(kind, client, 'test', { exactTotalLimit: 5 });
}

const engines: ['pglite' | 'postgres', () => Promise<{ client: SqlClient; done: () => Promise<void> }>][] = [
  ['pglite', async () => ({ client: await PgliteSqlClient.open(), done: async () => undefined })],
  [
    'postgres',
    async () => {
      const schema = testSchema('paging');
      await schema.create();
      return { client: new PostgresSqlClient(schema.url, 2), done: () => schema.drop() };
    },
  ],
];

describe.each(engines)('%s list totals (readSqlPage)', (kind, open) => {
  let client: SqlClient;
  let done: () => Promise<void>;
  let store: DaneStore;
  const [big, small] = [makeDocument(), makeDocument()];
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `K${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    ({ client, done } = await open());
    store = await smallLimitStore(kind, client);
    await store.documents.insertMany([big, small]);
    await store.tasks.insertMany([...keys(12).map((k) => makeTask(big, k)), ...keys(5).map((k) => makeTask(small, k))]);
    await client.query('ANALYZE tasks');
  });
  afterAll(async () => {
    await store.close();
    await done();
  });

  const list = (filter: Parameters<DaneStore['tasks']['list']>[0], page: PageRequest) => store.tasks.list(filter, page);

  it('counts a list exactly while it has no more items than the limit', async () => {
    const one = await list({ documentId: small._id, key: 'K03' }, { page: 1, size: 2 });
    expect(one).toMatchObject({ total: 1 });
    const five = await list({ documentId: small._id }, { page: 1, size: 2 });
    expect(five).toMatchObject({ total: 5, next: expect.any(String) });
    expect(five).not.toHaveProperty('totalEstimated');
  });

  it('answers the planner`s estimate above the limit, marked as one, and exact totals where the page proves them', async () => {
    const ofBig = (page: PageRequest) => list({ documentId: big._id }, page);
    const first = await ofBig({ page: 1, size: 2 });
    expect(first).toMatchObject({ total: 12, totalEstimated: true, next: expect.any(String) });
    const middle = await ofBig({ page: 3, size: 2 });
    expect(middle).toMatchObject({ total: 12, totalEstimated: true });
    const byCursor = await ofBig({ page: 1, size: 2, cursor: middle.next });
    expect(byCursor).toMatchObject({ total: 12, totalEstimated: true });
    // The last page by number knows its total: the offset plus what it holds.
    const last = await ofBig({ page: 6, size: 2 });
    expect(last.items).toHaveLength(2);
    expect(last).toMatchObject({ total: 12 });
    expect(last).not.toHaveProperty('totalEstimated');
    expect(last).not.toHaveProperty('next');
    // A page past the end: the estimate, but never more than the offset it ran past.
    expect(await ofBig({ page: 20, size: 2 })).toMatchObject({ items: [], total: 12, totalEstimated: true });
    // Unfiltered: pg_class.reltuples, as EXPLAIN reads it.
    expect(await list({}, { page: 1, size: 2 })).toMatchObject({ total: 17, totalEstimated: true });
  });

  it('estimates a filtered list from the column statistics EXPLAIN reads (the unfinished tasks here)', async () => {
    const page = await list({ notStates: UNFINISHED_EXCLUDED_STATES }, { page: 1, size: 3 });
    expect(page.totalEstimated).toBe(true);
    expect(page.total).toBeGreaterThanOrEqual(6);
    expect(page.total).toBeLessThanOrEqual(34);
  });
});

/** A fake executor answering the page, the bounded count and the EXPLAIN as told. */
function fakeDb(answers: { rows: number; counted: number; planned: number }): SqlExecutor & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    async query<R>(text: string) {
      statements.push(text);
      if (text.startsWith('EXPLAIN')) return { rows: [{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': answers.planned } }] }] as R[], rowCount: 1 };
      if (text.startsWith('SELECT count(*)')) return { rows: [{ n: String(answers.counted) }] as R[], rowCount: 1 };
      const rows = Array.from({ length: answers.rows }, (_, i) => ({ id: `x${i}`, page_seq: String(1000 + i) }));
      return { rows: rows as R[], rowCount: rows.length };
    },
  };
}

describe('readSqlPage totals and cursors (fake executor)', () => {
  const q: SqlList = { list: 'tasks', from: 'tasks AS t', alias: 't', columns: 't.id', conditions: [], params: new SqlParams() };
  const read = (db: SqlExecutor, page: PageRequest) => readSqlPage(db, q, page, (r) => r.id, { exactTotalLimit: 100 });

  it('never answers an estimate below what the page proves exists, so clients walking to the total do not stop early', async () => {
    const db = fakeDb({ rows: 11, counted: 101, planned: 3 });
    const page = await read(db, { page: 40, size: 10 });
    expect(page).toMatchObject({ total: 401, totalEstimated: true, next: encodeCursor('tasks', [1009]) });
    expect(db.statements).toHaveLength(3);
    expect(db.statements[1]).toBe('SELECT count(*) AS n FROM (SELECT 1 FROM tasks AS t  LIMIT 101) AS bounded');
  });

  it('does not count at all when the page is the last one by number, or a short first one', async () => {
    for (const page of [
      { page: 1, size: 10 },
      { page: 7, size: 10 },
    ]) {
      const db = fakeDb({ rows: 4, counted: 0, planned: 0 });
      expect(await read(db, page)).toMatchObject({ total: (page.page - 1) * 10 + 4 });
      expect(db.statements).toHaveLength(1);
    }
  });

  it('reads one row more than the page by `seq > cursor`, or LIMIT/OFFSET by page number', () => {
    expect(pageStatement(q, { page: 1, size: 10, cursor: encodeCursor('tasks', [77]) })).toMatchObject({
      text: 'SELECT t.id, t.seq AS page_seq FROM tasks AS t WHERE t.seq > $1 ORDER BY t.seq LIMIT $2',
      values: [77, 11],
    });
    expect(pageStatement(q, { page: 3, size: 10 })).toMatchObject({ text: 'SELECT t.id, t.seq AS page_seq FROM tasks AS t  ORDER BY t.seq LIMIT $1 OFFSET $2', values: [11, 20] });
  });
});

/**
 * The indexes of migration 5 serve each list: a page of a large list by cursor is an index scan in
 * `seq` order (no Sort, no Seq Scan: LIMIT stops it after a page); a rare filter is read from its
 * own index (the planner may then sort its few rows, fewer than a page). Which index the planner
 * picks for a common filter is its cost call (at 1M rows: the timings in docs/performance.md, Scale check).
 */
describe('PostgreSQL plans of the list pages', () => {
  const schema = testSchema('plans');
  let client: PostgresSqlClient;

  beforeAll(async () => {
    await schema.create();
    client = new PostgresSqlClient(schema.url, 1);
    await migrate(client);
    // 30,000 documents, one task and one result each, half of the tasks unfinished (201). Rare (0.1%): creator RARE, states 500 and 102, generator `rare`.
    await client.query(`INSERT INTO documents (id, target_id, creator_id, target_type, target, creator, created_at, updated_at)
      SELECT 'd' || i, 'T' || i, CASE WHEN i % 1000 = 0 THEN 'RARE' ELSE 'C' || (i % 10) END, 'Video', '{}', '{}', '', '' FROM generate_series(1, 30000) AS i`);
    await client.query(`INSERT INTO tasks (id, document_id, key, state, msg, priority, created_at, updated_at, creator_id, target_type)
      SELECT 't' || i, 'd' || i, (ARRAY['ASR', 'NER', 'OCR'])[1 + i % 3],
             CASE WHEN i % 1000 = 1 THEN 500 WHEN i % 1000 = 2 THEN 102 WHEN i % 2 = 0 THEN 201 ELSE 200 END,
             '', 1, '', '', CASE WHEN i % 1000 = 0 THEN 'RARE' ELSE 'C' || (i % 10) END, 'Video'
      FROM generate_series(1, 30000) AS i`);
    await client.query(`INSERT INTO results (id, task_id, document_id, task_key, generator_id, generator_name, generator, payload, creator_id, created_at, updated_at)
      SELECT 'r' || i, 't' || i, 'd' || i, (ARRAY['ASR', 'NER', 'OCR'])[1 + i % 3], CASE WHEN i % 1000 = 5 THEN 'rare' ELSE 'g' || (i % 3) END, 'GEN',
             '{}', '{}', CASE WHEN i % 1000 = 0 THEN 'RARE' ELSE 'C' || (i % 10) END, '', ''
      FROM generate_series(1, 30000) AS i`);
    for (const table of ['documents', 'tasks', 'results']) await client.query(`VACUUM ANALYZE ${table}`);
  });
  afterAll(async () => {
    await client.close();
    await schema.drop();
  });

  async function planOf(q: SqlList, list: 'tasks' | 'documents' | 'results'): Promise<{ indexes: string[]; nodes: string[] }> {
    const { text, values } = pageStatement(q, { page: 1, size: 100, cursor: encodeCursor(list, [15_000]) });
    const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
    const indexes: string[] = [];
    const nodes: string[] = [];
    const walk = (n: PlanNode) => {
      nodes.push(n['Node Type']);
      if (n['Index Name']) indexes.push(n['Index Name']);
      (n.Plans ?? []).forEach(walk);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    return { indexes, nodes };
  }
  type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };

  it.each([
    ['tasks, all', taskList({}), 'tasks', ['tasks_seq_key'], true],
    ['GET /DANE/task/ (unfinished, half the tasks)', taskList({ notStates: UNFINISHED_EXCLUDED_STATES }), 'tasks', ['tasks_unfinished_seq', 'tasks_seq_key'], true],
    ['GET /DANE/search/document/ (all)', documentSearch({ targetId: '*', creatorId: '*' }), 'documents', ['documents_seq_key'], true],
    ['GET /DANE/results/ (all)', resultFind({}), 'results', ['results_seq_key'], true],
    ['GET /DANE/task/inprogress (102, rare)', taskList({ states: [S.QUEUED] }), 'tasks', ['tasks_state_seq'], false],
    ['GET /DANE/workers/ASR (errored, rare)', taskList({ key: 'ASR', notStates: NOT_ERRORED_STATES }), 'tasks', ['tasks_errored_key_seq'], false],
    ['GET /DANE/creator/RARE/ASR/tasks', taskList({ creatorId: 'RARE', key: 'ASR' }), 'tasks', ['tasks_creator_key_seq'], false],
    ['GET /DANE/creator/RARE/docs', documentSearch({ creatorId: 'RARE' }), 'documents', ['documents_creator_seq'], false],
    ['GET /DANE/creator/RARE/ASR/results', resultFind({ creatorId: 'RARE', taskKey: 'ASR' }), 'results', ['results_creator_key_seq'], false],
    ['GET /DANE/results/?generator_name=GEN&generator_id=rare', resultFind({ generatorName: 'GEN', generatorId: 'rare' }), 'results', ['results_generator_seq'], false],
  ] as [string, SqlList, 'tasks' | 'documents' | 'results', string[], boolean][])('%s', async (_route, q, list, expected, large) => {
    const { indexes, nodes } = await planOf(q, list);
    expect(nodes).not.toContain('Seq Scan');
    if (large) expect(nodes).not.toContain('Sort');
    expect(indexes.length).toBeGreaterThan(0);
    for (const index of indexes) expect(expected).toContain(index);
  });
});

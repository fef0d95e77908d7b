import { ConflictError, DaneClient } from '@dane/client';
import { ApiServer, startApiServer } from '../../../test/support/api-server';
import { documentInput } from '../../../test/support/fixtures';

/** The batch-run claim routes through the client (docs/protocol.md, Batch runs), against the real API on PGlite. */
describe('DaneClient tasks: claim, heartbeat, outcome', () => {
  let server: ApiServer;
  let dane: DaneClient;
  beforeAll(async () => {
    server = await startApiServer({ DANE_RABBITMQ__MANAGEMENT: 'false' });
    dane = new DaneClient({ baseUrl: `${server.url}/DANE/` });
  });
  afterAll(() => server?.close());

  it('assigns and claims, refuses a second claim, extends the lease, applies the outcome, and claims a done task only with force', async () => {
    const doc = await dane.document(documentInput('CLAIM-1')).register();
    const claim = await dane.tasks.claim(doc._id!, 'claimkey');
    expect(claim).toMatchObject({ attempt: 1, previous_state: 201, task: { key: 'CLAIMKEY', state: '102', msg: 'Claimed by a batch run' }, document: { _id: doc._id } });
    expect(claim.lease_seconds).toBeGreaterThan(0);
    const second = await dane.tasks.claim(doc._id!, 'CLAIMKEY').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ConflictError);
    expect((second as Error).message).toMatch(/is in flight \(102 at attempt 1\)/);

    await expect(dane.tasks.heartbeat(claim.task._id, 1, 'half way')).resolves.toMatchObject({ attempt: 1 });
    expect(await dane.tasks.get(claim.task._id)).toMatchObject({ state: '102', msg: 'half way' });
    await expect(dane.tasks.heartbeat(claim.task._id, 2)).rejects.toBeInstanceOf(ConflictError);
    await expect(dane.tasks.reportOutcome(claim.task._id, 1, { state: 102 })).rejects.toThrow(/102 is not an outcome/);

    expect(await dane.tasks.reportOutcome(claim.task._id, 1, { state: 200, message: 'done' })).toMatchObject({ state: '200', msg: 'done' });
    await expect(dane.tasks.reportOutcome(claim.task._id, 1, { state: 500 })).rejects.toThrow(/not applied: task is in 200/);
    await expect(dane.tasks.claim(doc._id!, 'CLAIMKEY')).rejects.toThrow(/is done \(200\); claim it with force/);
    expect(await dane.tasks.claim(doc._id!, 'CLAIMKEY', { force: true })).toMatchObject({ attempt: 2, previous_state: 200 });
    await expect(dane.tasks.claim('0'.repeat(40), 'CLAIMKEY')).rejects.toThrow(/No document/);
  });

  it('applies a 503 like a queue reply: a retry within the budget, and waits for dependencies named by a 412', async () => {
    const doc = await dane.document(documentInput('CLAIM-2')).register();
    const claim = await dane.tasks.claim(doc._id!, 'NEEDSDL');
    const waiting = await dane.tasks.reportOutcome(claim.task._id, claim.attempt, { state: 412, message: 'Unfinished dependencies', dependencies: ['DLKEY'] });
    expect(waiting).toMatchObject({ state: '412', depends_on: ['DLKEY'] });
    const tasks = await dane.documents.tasks(doc._id!).all();
    expect(tasks.map((t) => [t.key, t.state]).sort()).toEqual([
      ['DLKEY', '201'],
      ['NEEDSDL', '412'],
    ]);
    await expect(dane.tasks.claim(doc._id!, 'NEEDSDL', { force: true })).rejects.toThrow(/is waiting: Waiting for dependencies: DLKEY/);

    const dl = await dane.tasks.claim(doc._id!, 'DLKEY');
    const retried = await dane.tasks.reportOutcome(dl.task._id, dl.attempt, { state: 503, message: 'down', retry_after_ms: 60_000 });
    expect(retried.state).toBe('503');
    expect(retried.msg).toMatch(/^down — retry 1 of 5/);
  });
});

import { DISPATCHABLE_STATES, MANUAL_STATES, STATE_TABLE, TaskState, TRANSITIONS, isKnownState, stateInfo } from './task-state';

describe('state table (docs/protocol.md, State table)', () => {
  it('lists every DANE state with a class', () => {
    expect(STATE_TABLE.map((s) => s.code).sort()).toEqual([102, 200, 201, 205, 400, 403, 404, 412, 422, 500, 502, 503]);
    expect(stateInfo(TaskState.QUEUED)?.class).toBe('in_flight');
    expect(stateInfo(TaskState.SUCCESS)?.class).toBe('done');
    expect(isKnownState(TaskState.ALREADY_EXISTS)).toBe(false); // 409 is never stored
  });
  it('separates automatic from manual states', () => {
    expect([...DISPATCHABLE_STATES].sort()).toEqual([201, 205, 502, 503]);
    expect([...MANUAL_STATES].sort()).toEqual([400, 403, 404, 422, 500]);
  });
  it('refuses a plain retry of 102 and 200 but allows a forced one', () => {
    expect(TRANSITIONS.retry.from).not.toContain(TaskState.QUEUED);
    expect(TRANSITIONS.retry.from).not.toContain(TaskState.SUCCESS);
    expect(TRANSITIONS.retry.from).toContain(TaskState.ERROR);
    expect(TRANSITIONS.forceRetry.from).toEqual(expect.arrayContaining([TaskState.QUEUED, TaskState.SUCCESS]));
  });
});

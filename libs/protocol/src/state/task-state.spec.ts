import { DISPATCHABLE_STATES, MANUAL_STATES, STATE_TABLE, TaskState, TRANSITIONS, WORKER_OUTCOME_STATES, isKnownState, stateInfo } from './task-state';

describe('state table (docs/protocol.md, State table)', () => {
  it('lists every DANE state with a class, and our 499 CANCELLED', () => {
    expect(STATE_TABLE.map((s) => s.code).sort()).toEqual([102, 200, 201, 205, 400, 403, 404, 412, 422, 499, 500, 502, 503]);
    expect(stateInfo(TaskState.CANCELLED)).toMatchObject({ name: 'CANCELLED', class: 'cancelled', defaultMessage: 'Cancelled' });
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
  it('cancels anything but a done or cancelled task; a cancelled one runs again by retry; no worker reports 499', () => {
    expect([...TRANSITIONS.cancel.from].sort()).toEqual([102, 201, 205, 400, 403, 404, 412, 422, 500, 502, 503]);
    expect(TRANSITIONS.cancel.to).toBe(499);
    expect(DISPATCHABLE_STATES).not.toContain(TaskState.CANCELLED);
    expect(TRANSITIONS.retry.from).toContain(TaskState.CANCELLED);
    expect(WORKER_OUTCOME_STATES).not.toContain(TaskState.CANCELLED);
  });
});

import { TaskState } from '@dane/protocol';
import { Task } from './task';
import { taskFieldsFromJson, taskToJson } from './task-json';

describe('Task JSON (Python Task.to_json / from_json, docs/protocol.md, Task)', () => {
  it('writes the Python key order, drops nulls and leaves out empty args', () => {
    const task = Task.fromJSON({ key: 'asr', _id: 'abc', state: TaskState.CREATED, msg: 'Created', priority: 15 });
    expect(JSON.stringify(task)).toBe(`{"key":"ASR","_id":"abc","state":${TaskState.CREATED},"msg":"Created","priority":10}`);
    expect(Object.keys(taskToJson(taskFieldsFromJson({ created_at: 'c', args: { a: 1 }, updated_at: 'u', key: 'k', priority: 2 })))).toEqual([
      'key',
      'created_at',
      'updated_at',
      'priority',
      'args',
    ]);
  });

  it('reads {"key": k} and {"task": {...}} alone, and refuses any other single key', () => {
    expect(taskFieldsFromJson({ key: 'shots' })).toMatchObject({ key: 'SHOTS', priority: 1, args: {} });
    expect(taskFieldsFromJson('{"task": {"key": "asr", "priority": 3}}')).toMatchObject({ key: 'ASR', priority: 3 });
    expect(() => taskFieldsFromJson({ name: 'ASR' })).toThrow(/single key `name`/);
  });

  it('merges `task` with the keys beside it, the top level winning', () => {
    expect(taskFieldsFromJson({ task: { key: 'ASR', priority: 2 }, priority: 7, document_id: 'd' })).toMatchObject({ key: 'ASR', priority: 7, document_id: 'd' });
  });

  it('makes stray keywords the args, unless `args` is the only one', () => {
    expect(taskFieldsFromJson({ key: 'A', args: { lang: 'nl' } }).args).toEqual({ lang: 'nl' });
    expect(taskFieldsFromJson({ key: 'A', args: { lang: 'nl' }, colour: 'red' }).args).toEqual({ args: { lang: 'nl' }, colour: 'red' });
  });

  it('reads the REST view back: string state to a number, {"*": null} to no args', () => {
    const task = Task.fromView({
      _id: 'id1',
      key: 'ASR',
      state: String(TaskState.ERROR),
      msg: 'boom',
      priority: 1,
      created_at: null,
      updated_at: null,
      args: { '*': null },
      document_id: 'doc',
      depends_on: ['download'],
      attempt: 2,
    });
    expect(task).toMatchObject({ stateCode: TaskState.ERROR, args: {}, depends_on: ['DOWNLOAD'], attempt: 2, document_id: 'doc', stateName: 'ERROR' });
    expect(task.toJSON()).toEqual({ key: 'ASR', _id: 'id1', state: TaskState.ERROR, msg: 'boom', priority: 1 });
  });
});

import { TaskState } from '@dane/protocol';
import { sqlCodes } from './sql-states';
import { wildcardToLike } from './wildcard';

describe('wildcardToLike', () => {
  it('turns * and ? into % and _', () => {
    expect(wildcardToLike('ITM*')).toBe('ITM%');
    expect(wildcardToLike('IT?123')).toBe('IT_123');
  });

  it('escapes the characters LIKE gives a meaning', () => {
    expect(wildcardToLike('50%_off\\now*')).toBe('50\\%\\_off\\\\now%');
  });

  it('adds no condition for match-all patterns', () => {
    expect(wildcardToLike(undefined)).toBeNull();
    expect(wildcardToLike('')).toBeNull();
    expect(wildcardToLike('**')).toBeNull();
  });
});

describe('sqlCodes', () => {
  it('renders state codes and refuses anything else', () => {
    expect(sqlCodes([TaskState.CREATED, TaskState.TASK_RESET])).toBe(`${TaskState.CREATED}, ${TaskState.TASK_RESET}`);
    expect(() => sqlCodes([])).toThrow();
    expect(() => sqlCodes([Number.NaN])).toThrow();
  });
});

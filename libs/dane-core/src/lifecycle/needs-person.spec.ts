import { TaskState } from '@dane/protocol';
import { NeedsPersonTask, blockedTaskIds, waitsForPersonItself } from './needs-person';
import { PARKED_UNTIL } from './retry-policy';

const S = TaskState;

describe('needs a person (the one definition)', () => {
  it('a manual state, or a dispatchable state parked with its retries spent', () => {
    expect(waitsForPersonItself(S.ERROR, null)).toBe('manual');
    expect(waitsForPersonItself(S.NO_ROUTE_TO_QUEUE, undefined)).toBe('manual');
    expect(waitsForPersonItself(S.ERROR_PROXY, PARKED_UNTIL)).toBe('retries_spent');
    expect(waitsForPersonItself(S.CREATED, PARKED_UNTIL.getTime())).toBe('retries_spent');
    expect(waitsForPersonItself(S.ERROR_PROXY, new Date(Date.now() + 3600_000))).toBeNull();
    expect(waitsForPersonItself(S.ERROR_PROXY, null)).toBeNull();
    expect(waitsForPersonItself(S.SUCCESS, PARKED_UNTIL)).toBeNull();
    expect(waitsForPersonItself(S.UNFINISHED_DEPENDENCY, null)).toBeNull();
    expect(waitsForPersonItself(S.QUEUED, null)).toBeNull();
    expect(waitsForPersonItself(S.CANCELLED, null)).toBeNull();
  });

  it('412 tasks blocked directly or through other 412 tasks, per document', () => {
    const t = (id: string, documentId: string, key: string, state: number, dependsOn: string[] = [], notBefore: Date | null = null): NeedsPersonTask => ({
      id,
      documentId,
      key,
      state,
      dependsOn,
      notBefore,
    });
    const blocked = blockedTaskIds([
      t('a1', 'a', 'DOWNLOAD', S.ERROR),
      t('a3', 'a', 'NER', S.UNFINISHED_DEPENDENCY, ['ASR']),
      t('a2', 'a', 'ASR', S.UNFINISHED_DEPENDENCY, ['DOWNLOAD']),
      t('a4', 'a', 'OCR', S.UNFINISHED_DEPENDENCY, ['SPLIT']), // no SPLIT task on the document
      t('b1', 'b', 'DOWNLOAD', S.SUCCESS),
      t('b2', 'b', 'ASR', S.UNFINISHED_DEPENDENCY, ['DOWNLOAD']),
      t('c1', 'c', 'FILESIZE', S.ERROR_PROXY, [], PARKED_UNTIL),
      t('c2', 'c', 'THUMB', S.UNFINISHED_DEPENDENCY, ['FILESIZE']),
      t('d1', 'd', 'DOWNLOAD', S.ERROR),
      t('d2', 'd', 'ASR', S.CREATED, ['DOWNLOAD']),
      t('e1', 'e', 'LATER', S.UNFINISHED_DEPENDENCY, ['NEVER_ASSIGNED']),
      t('e2', 'e', 'LAST', S.UNFINISHED_DEPENDENCY, ['LATER']),
      // A cancelled dependency needs no person itself; its 412 dependants do, transitively.
      t('f1', 'f', 'DOWNLOAD', S.CANCELLED),
      t('f2', 'f', 'ASR', S.UNFINISHED_DEPENDENCY, ['DOWNLOAD']),
      t('f3', 'f', 'NER', S.UNFINISHED_DEPENDENCY, ['ASR']),
    ]);
    expect([...blocked].sort()).toEqual(['a2', 'a3', 'a4', 'c2', 'e1', 'e2', 'f2', 'f3']);
  });
});

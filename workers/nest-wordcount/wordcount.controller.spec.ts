import { ConfigError } from '@dane/worker';
import { countText, localCandidates } from './wordcount.controller';
import { wordcountSettings } from './wordcount-settings';

describe('nest-wordcount pieces', () => {
  it('counts words as runs of non-space, lines like wc -l plus an unterminated last line, characters as code points', () => {
    expect(countText('')).toEqual({ words: 0, lines: 0, characters: 0 });
    expect(countText('one  two\tthree\n')).toEqual({ words: 3, lines: 1, characters: 15 });
    expect(countText('a\nb')).toEqual({ words: 2, lines: 2, characters: 3 });
    expect(countText('héllo 🌍')).toEqual({ words: 2, lines: 1, characters: 7 });
  });

  it('reads a plain path (also percent-decoded, as the server requotes it) or a file:// URL, and refuses other schemes', () => {
    expect(localCandidates('/data/a%20b.txt')).toEqual(['/data/a%20b.txt', '/data/a b.txt']);
    expect(localCandidates('file:///data/a%20b.txt')).toEqual(['/data/a b.txt']);
    expect(localCandidates('https://example.com/a.txt')).toEqual({ state: 400, message: expect.stringMatching(/^Unsupported URL scheme https:\/\//) });
  });

  it('takes its settings from NEST_WORDCOUNT_WORKER, with defaults, and names a bad key', () => {
    expect(wordcountSettings({} as never)).toEqual({ queue: 'nest_wordcount_queue', concurrency: 1, maxBytes: 16 * 1024 * 1024 });
    expect(wordcountSettings({ NEST_WORDCOUNT_WORKER: { QUEUE: 'q', CONCURRENCY: 4, MAX_BYTES: 10 } } as never)).toEqual({ queue: 'q', concurrency: 4, maxBytes: 10 });
    expect(() => wordcountSettings({ NEST_WORDCOUNT_WORKER: { CONCURRENCY: 0 } } as never)).toThrow(ConfigError);
    expect(() => wordcountSettings({ NEST_WORDCOUNT_WORKER: { MAX_BYTES: 'lots' } } as never)).toThrow('NEST_WORDCOUNT_WORKER.MAX_BYTES must be a whole number ≥ 1 (got "lots")');
  });
});

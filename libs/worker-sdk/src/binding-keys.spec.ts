import { InvalidBindingKeyError } from './errors/invalid-binding-key-error';
import { taskKeyOf, validateBindingKeys } from './binding-keys';
import { resolveWorkerOptions } from './worker-options';
import { builtInDefaults } from '@dane/protocol';

describe('binding keys (docs/protocol.md, Binding keys)', () => {
  it('accepts target types, * and # as first segment, as a string or a list', () => {
    expect(validateBindingKeys('#.ASR')).toEqual(['#.ASR']);
    expect(validateBindingKeys(['*.ASR', 'Video.ASR', 'Dataset.X', 'Image.X', 'Sound.X', 'Text.X'])).toHaveLength(6);
  });

  it('refuses a lower-case target type with an error that names the key and the allowed segments', () => {
    expect(() => validateBindingKeys('video.ASR')).toThrow(InvalidBindingKeyError);
    expect(() => validateBindingKeys('video.ASR')).toThrow(
      'Invalid binding key "video.ASR": the first segment must be one of Dataset, Image, Video, Sound, Text, *, # (case-sensitive), e.g. "#.ASR"',
    );
  });

  it('refuses the whole list when one key is bad, and an empty list', () => {
    expect(() => validateBindingKeys(['#.ASR', 'Movie.ASR'])).toThrow(/Movie\.ASR/);
    expect(() => validateBindingKeys([])).toThrow(/at least one binding key/);
    expect(() => validateBindingKeys('')).toThrow(/non-empty/);
  });

  it('fails worker construction early, before any connection', () => {
    const config = builtInDefaults('/tmp/');
    expect(() => resolveWorkerOptions({ queue: 'ASR', bindingKey: 'asr', config, generator: { id: 'x', name: 'ASR', type: 'Software', homepage: null } })).toThrow(
      InvalidBindingKeyError,
    );
    expect(() => resolveWorkerOptions({ queue: 'ASR', bindingKey: '#.ASR', config, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => resolveWorkerOptions({ queue: '', bindingKey: '#.ASR', config })).toThrow(/queue name/);
  });

  it('derives the task key from the first concrete binding key, else from the queue', () => {
    expect(taskKeyOf(['#.filesize'], 'filesize_queue')).toBe('FILESIZE');
    expect(taskKeyOf(['#'], 'asr')).toBe('ASR');
  });

  it('upper-cases dependsOn keys so they match stored task keys', () => {
    const o = resolveWorkerOptions({
      queue: 'ASR',
      bindingKey: '#.ASR',
      config: builtInDefaults('/tmp/'),
      dependsOn: ['download'],
      generator: { id: 'x', name: 'ASR', type: 'Software', homepage: null },
    });
    expect(o.dependsOn).toEqual(['DOWNLOAD']);
  });
});

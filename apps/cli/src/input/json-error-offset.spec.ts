import { jsonErrorOffset, lineAndColumn } from './json-error-offset';

describe('jsonErrorOffset', () => {
  it.each(['[]', '{"a": [1, -2.5e3, true, false, null, "x\\"y"]}', ' [ {} ] '])('finds nothing wrong in %s', (text) => {
    expect(jsonErrorOffset(text)).toBeUndefined();
  });

  it.each([
    ['[\n  {"a": 1},\n  {"b": }\n]', 'line 3 column 9'],
    ['[1, 2,]', 'line 1 column 7'],
    ['{"a" 1}', 'line 1 column 6'],
    ['[1] x', 'line 1 column 5'],
    ['["open', 'line 1 column 7'],
  ])('points at the first bad character of %j: %s', (text, where) => {
    expect(lineAndColumn(text, jsonErrorOffset(text)!)).toBe(where);
  });
});

describe('jsonErrorOffset on nesting deeper than the stack', () => {
  it('says the offset is unknown instead of returning the RangeError', () => {
    expect(jsonErrorOffset('['.repeat(200_000) + '}')).toBeUndefined();
  });
});

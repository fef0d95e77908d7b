import { normaliseBaseUrl } from './base-url';

describe('normaliseBaseUrl', () => {
  it.each([
    ['localhost:5500', 'http://localhost:5500'],
    ['http://localhost:5500/', 'http://localhost:5500'],
    ['http://localhost:5500/DANE/', 'http://localhost:5500'],
    ['https://dane.example.org/proxy/DANE', 'https://dane.example.org/proxy'],
  ])('%s → %s', (raw, root) => {
    expect(normaliseBaseUrl(raw)).toBe(root);
  });

  it('refuses what is not an http(s) URL, naming it', () => {
    expect(() => normaliseBaseUrl('ftp://x')).toThrow(/http\(s\)/);
    expect(() => normaliseBaseUrl('http://')).toThrow(/Not a URL/);
  });
});

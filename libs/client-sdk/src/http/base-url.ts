/**
 * The server root from what users type: `localhost:5500`, `http://host:5500/`, or DANE.API_URL
 * style `http://host:5500/DANE/` all become `http://host:5500`. Routes are then `/DANE/…` and
 * `/manage/…` under it. A path prefix other than /DANE (a reverse proxy) is kept.
 */
export function normaliseBaseUrl(raw: string): string {
  let text = raw.trim();
  if (text === '') throw new TypeError('The DANE base URL is empty');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`Not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`The DANE base URL must be http(s) (got ${url.protocol})`);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/DANE$/i, '');
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * `requests.utils.requote_uri` (docs/protocol.md, URL normalisation): decode %XY escapes of unreserved
 * characters, keep other escapes, and percent-encode everything outside the safe set. A `%` followed by two
 * alphanumerics that are not hex makes the whole URL fall back to quoting with `%` unsafe.
 */
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const SAFE_WITH_PERCENT = "!#$%&'()*+,/:;=?@[]~";
const SAFE_WITHOUT_PERCENT = "!#$&'()*+,/:;=?@[]~";

class InvalidEscape extends Error {}

function unquoteUnreserved(uri: string): string {
  const parts = uri.split('%');
  for (let i = 1; i < parts.length; i++) {
    const h = parts[i].slice(0, 2);
    if (h.length === 2 && /^[A-Za-z0-9]{2}$/.test(h)) {
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) throw new InvalidEscape(h);
      const c = String.fromCharCode(parseInt(h, 16));
      parts[i] = UNRESERVED.test(c) ? c + parts[i].slice(2) : '%' + parts[i];
    } else {
      parts[i] = '%' + parts[i];
    }
  }
  return parts.join('');
}

function quote(text: string, safe: string): string {
  let out = '';
  for (const ch of text) {
    if (UNRESERVED.test(ch) || safe.includes(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

export function requoteUri(uri: string): string {
  try {
    return quote(unquoteUnreserved(uri), SAFE_WITH_PERCENT);
  } catch (e) {
    if (e instanceof InvalidEscape) return quote(uri, SAFE_WITHOUT_PERCENT);
    throw e;
  }
}

/** `str(url).strip()` then requote (docs/protocol.md, Document). */
export function normaliseUrl(url: unknown): string {
  return requoteUri(String(url).trim());
}

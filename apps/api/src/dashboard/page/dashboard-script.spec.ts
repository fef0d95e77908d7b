import { DASHBOARD_HTML } from './dashboard-page';
import { DASHBOARD_SCRIPT } from './dashboard-script';
import { KEY_COOKIE } from '../../auth/authenticator.service';

describe('dashboard page', () => {
  it('has a script that parses as JavaScript (nothing type-checks it)', () => {
    expect(() => new Function(DASHBOARD_SCRIPT)).not.toThrow();
  });

  it('spells no task state code in the script: they come with each snapshot', () => {
    // The HTTP statuses of a refused key and of a store without campaigns are declared once, by name (403 is also a task state).
    const declared = /^ {2}var HTTP_STATUS = \{ UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_IMPLEMENTED: 501 \};$/m;
    expect(DASHBOARD_SCRIPT).toMatch(declared);
    expect(DASHBOARD_SCRIPT.replace(declared, '')).not.toMatch(/\b(102|20[015]|40[0349]|41[2]|422|50[023])\b/);
  });

  it('sends reads through the dane_key cookie the API reads, and actions with the key as a bearer token', () => {
    expect(DASHBOARD_SCRIPT).toContain(`var KEY_COOKIE = '${KEY_COOKIE}';`);
    // Path / : the cookie must reach /DANE/… as well as /manage/…
    expect(DASHBOARD_SCRIPT).toContain("'; path=/; SameSite=Strict'");
    expect(DASHBOARD_SCRIPT).toContain("if (method !== 'GET' && apiKey) headers.authorization = 'Bearer ' + apiKey;");
    expect(DASHBOARD_SCRIPT).toContain("{ method: 'POST' }");
  });

  it('loads its script from /manage and has every element the script looks up', () => {
    expect(DASHBOARD_HTML).toContain('<script src="/manage/dashboard.js"></script>');
    const ids = [...DASHBOARD_SCRIPT.matchAll(/\$\('([\w-]+)'\)/g)].map((m) => m[1]);
    for (const id of new Set(ids)) expect(DASHBOARD_HTML).toContain(`id="${id}"`);
  });
});

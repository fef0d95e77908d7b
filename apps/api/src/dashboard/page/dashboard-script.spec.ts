import { DASHBOARD_HTML } from './dashboard-page';
import { DASHBOARD_SCRIPT } from './dashboard-script';

describe('dashboard page', () => {
  it('has a script that parses as JavaScript (nothing type-checks it)', () => {
    expect(() => new Function(DASHBOARD_SCRIPT)).not.toThrow();
  });

  it('spells no task state code in the script: they come with each snapshot', () => {
    expect(DASHBOARD_SCRIPT).not.toMatch(/\b(102|20[015]|40[0349]|41[2]|422|50[023])\b/);
  });

  it('loads its script from /manage and has every element the script looks up', () => {
    expect(DASHBOARD_HTML).toContain('<script src="/manage/dashboard.js"></script>');
    const ids = [...DASHBOARD_SCRIPT.matchAll(/\$\('([\w-]+)'\)/g)].map((m) => m[1]);
    for (const id of new Set(ids)) expect(DASHBOARD_HTML).toContain(`id="${id}"`);
  });
});

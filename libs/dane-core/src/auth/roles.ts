/**
 * API key roles, each including the ones before it: read (GET routes) < submit (register documents,
 * assign tasks, store results) < operate (retry/forceretry/reset, mass reset, deletes, the
 * dashboard's actions) < admin (manages keys).
 */
export const ROLES = ['read', 'submit', 'operate', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when a key of role `have` may call a route that needs `need`. */
export function roleCovers(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

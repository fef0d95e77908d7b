import { Role } from './roles';

/** Who is calling: a stored key, the DANE_ADMIN_TOKEN, or nobody (anonymous). */
export interface Principal {
  /** Key id; `env:DANE_ADMIN_TOKEN` for the environment token. */
  id: string;
  name: string;
  role: Role;
}

export const ENV_ADMIN_PRINCIPAL: Principal = { id: 'env:DANE_ADMIN_TOKEN', name: 'DANE_ADMIN_TOKEN', role: 'admin' };

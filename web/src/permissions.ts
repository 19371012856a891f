// What the signed-in role may open. The grants are the server's own (core/access/access.rules.ts,
// pure and shared), so the console hides exactly what the API would refuse with 403.
import { can, type Permission } from '../../src/core/access/access.rules.ts';
import { useMe } from './session.tsx';

export { can, type Permission };

export function useCan(permission: Permission): boolean {
  return can(useMe().role, permission);
}

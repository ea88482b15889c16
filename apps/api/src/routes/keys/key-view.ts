import type { ApiKeyRow } from '@flowq/db';

/** A key as admins see it: never its hash. */
export function keyView(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    admin: row.admin,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

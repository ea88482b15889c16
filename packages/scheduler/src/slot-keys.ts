/** Where an account's slot state lives in Redis (one place, for the scripts that read it together). */

/** The account's leases: one member per slot held, scored by its expiry. */
export function leasesKeyOf(prefix: string, email: string): string {
  return `${prefix}:slots:${email.toLowerCase()}:leases`;
}

/** The account's working limit (`working-limit-store.ts`). */
export function workingLimitKey(prefix: string, email: string): string {
  return `${prefix}:slots:${email.toLowerCase()}:limit`;
}

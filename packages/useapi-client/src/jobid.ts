/**
 * useapi's job id: `j<digits><v|i>-u<userId>-email:<email>-bot:google-flow` (v video, i image).
 * Treated as opaque everywhere except here; the email part may be masked (`jo***@gmail.com`).
 */
export const JOBID_PATTERN = /^j\d+[vi]-u\d+-email:[^\s]+-bot:google-flow$/;

export function isJobid(value: string): boolean {
  return JOBID_PATTERN.test(value);
}

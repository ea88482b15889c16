import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatAbuseTable, runAbuseSuite } from '../abuse/abuse-run';

/** Most a single request may hold up /healthz, and add to the API's resident memory. */
export const HEALTHZ_TARGET_MS = 250;
export const RSS_TARGET_MB = 300;

describe('abuse suite (full scale)', () => {
  it(`every route's worst legal and just-too-large bodies: no crash, no 5xx, /healthz within ${HEALTHZ_TARGET_MS} ms, peak RSS under ${RSS_TARGET_MB} MB above idle`, async () => {
    const { results, output } = await runAbuseSuite(process.env.FAULTS_SCALE === 'short' ? 'short' : 'full');
    const table = formatAbuseTable(results);
    console.log(`\n${table}\n`);
    if (process.env.ABUSE_REPORT) writeFileSync(process.env.ABUSE_REPORT, table);
    expect(
      results.every((r) => r.alive),
      output.slice(-4_000),
    ).toBe(true);
    for (const r of results) {
      expect(typeof r.answer === 'number' && r.expected.includes(r.answer), `${r.name}: answered ${r.answer}`).toBe(true);
      expect(r.worstHealthzMs, r.name).toBeLessThanOrEqual(HEALTHZ_TARGET_MS);
      expect(r.peakRssOverIdleMb, r.name).toBeLessThan(RSS_TARGET_MB);
    }
  }, 900_000);
});

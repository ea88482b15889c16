import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTable, totalFaults, type ScenarioReport } from './fault-metrics';
import type { FaultScale } from './fault-scale';
import { runKilledMidArchiveScenario, runStoreDownScenario } from './archive-faults';
import { runCallbackOutageScenario } from './callback-outage';
import { runImageUploadCutScenario } from './image-upload-faults';
import { runCrashScenario, runMixScenario, MIX_COOL_OFF_MS, MIX_PROPAGATION_MS } from './scenarios';

/** Both scenarios at one scale, with their assertions; `FAULTS_REPORT` names a file to write the reports to. */
export function defineFaultSuite(scale: FaultScale): void {
  const reports: ScenarioReport[] = [];
  const long = scale.name === 'full';

  afterAll(() => {
    if (reports.length === 0) return;
    console.log(`\n${formatTable(reports)}\n${reports.map((r) => `${r.scenario}: ${JSON.stringify(r.notes)}`).join('\n')}`);
    if (process.env.FAULTS_REPORT) writeFileSync(process.env.FAULTS_REPORT, JSON.stringify(reports, null, 2));
  });

  // One scenario at a time: each starts its own API, simulator and worker processes, and two of
  // them side by side on a 2-core machine measure each other more than flowq.
  describe(`fault injection (${scale.name})`, () => {
    it(
      `${scale.crash.jobs} jobs through ${scale.crash.kills} kill -9s, a Redis wipe, Redis and Postgres cut for ${scale.crash.cutMs / 1000} s and bad callbacks: nothing lost, nothing paid twice`,
      async () => {
        const r = await runCrashScenario(scale);
        reports.push(r);
        const n = r.notes;
        expect(r.faults['kill -9']).toBe(scale.crash.kills);
        expect(r.jobs).toBeGreaterThanOrEqual(scale.crash.jobs);
        expect(r.lost, JSON.stringify(n)).toBe(0);
        expect(r.duplicatedSubmissions, JSON.stringify(n)).toBe(0);
        // Redis wiped mid-run: every unfinished job is back on its queue (an archiving row on the
        // archive queue), from the wipe check that runs every second.
        expect(n['unfinished at wipe']).toBeGreaterThan(0);
        expect(n['requeued after wipe ms']).toBeLessThanOrEqual(20_000);
        // Redis cut: jobs are still accepted (committed in Postgres, queued when Redis returns).
        expect(n['202 while redis cut']).toBeGreaterThan(0);
        // Postgres cut: a clear 503 database_unavailable, never a 2xx nor a bare 500.
        expect(n['503 while postgres cut']).toBeGreaterThan(0);
        expect(n['other answers while postgres cut']).toBe(0);
        expect(n['503 other than database_unavailable']).toBe(0);
        expect(n['500 answers']).toBe(0);
        // Callbacks did overtake answers, were lost and repeated, and stale ones were replayed.
        expect(r.faults['callbacks before the answer']).toBeGreaterThan(0);
        expect(r.faults['callbacks dropped']).toBeGreaterThan(0);
        expect(r.faults['stale callbacks']).toBeGreaterThan(0);
      },
      long ? 600_000 : 240_000,
    );

    it(
      `${scale.mix.jobs} jobs under the day's mix of upstream answers: each ends as its answers say, no hot loop, cool-offs as configured`,
      async () => {
        const r = await runMixScenario(scale);
        reports.push(r);
        const n = r.notes;
        expect(r.lost).toBe(0);
        expect(n['wrong end state'], String(n['wrong samples'])).toBe(0);
        expect(r.duplicatedSubmissions).toBe(0);
        // About a quarter 429s and a quarter 403s, some 400s and 5xx, among the submissions.
        const submits = r.jobs + r.retries;
        expect(r.faults['429']! / submits).toBeGreaterThan(0.15);
        expect(r.faults['403']! / submits).toBeGreaterThan(0.15);
        expect(r.faults['400']).toBeGreaterThan(0);
        expect(r.faults['500']! + r.faults['503']!).toBeGreaterThan(0);
        // Bounded requests per job: a few refusals, one paid submit, a few polls; never a loop.
        expect(r.maxRequestsPerJob).toBeLessThanOrEqual(25);
        expect(n['cool-offs']).toBeGreaterThan(0);
        // `until` is reckoned from the 429's arrival, the event's time from its insert a moment later.
        expect(n['cool-off ms min']).toBeGreaterThanOrEqual(MIX_COOL_OFF_MS - MIX_PROPAGATION_MS);
        expect(n['cool-off ms max']).toBeLessThanOrEqual(MIX_COOL_OFF_MS + 50);
        expect(n['submits into a cool-off']).toBe(0);
        expect(totalFaults(r)).toBeGreaterThan(0);
      },
      long ? 600_000 : 180_000,
    );
  });

  describe(`client callbacks under faults (${scale.name})`, () => {
    it(
      `${scale.callbacks.jobs} jobs with callbacks while the receiver is down for 10 minutes (clock x${scale.callbacks.timeScale}), the sender restarted and Redis wiped: every callback delivered, one delivery id per event`,
      async () => {
        const r = await runCallbackOutageScenario(scale);
        reports.push(r);
        const n = r.notes;
        expect(n['jobs succeeded']).toBe(scale.callbacks.jobs);
        expect(r.lost, JSON.stringify(n)).toBe(0);
        expect(n['events in outbox']).toBe(scale.callbacks.jobs);
        expect(n['events delivered']).toBe(scale.callbacks.jobs);
        expect(n['jobs with more than one delivery id']).toBe(0);
        expect(n['bad signatures']).toBe(0);
        // The outage was met: deliveries were tried and refused before the receiver came back.
        expect(n['attempts during outage']).toBeGreaterThan(scale.callbacks.jobs);
      },
      long ? 600_000 : 180_000,
    );
  });

  describe(`image uploads under faults (${scale.name})`, () => {
    it(
      `${scale.uploads.jobs} jobs on uploaded images while uploads to useapi are cut mid-way: every job succeeds, nothing paid twice, one recorded upload per image and account`,
      async () => {
        const r = await runImageUploadCutScenario(scale);
        reports.push(r);
        const n = r.notes;
        expect(r.faults['line to useapi cut during an upload'], JSON.stringify(n)).toBe(scale.uploads.cuts);
        expect(r.faults['upload taken, answer lost'], JSON.stringify(n)).toBe(scale.uploads.resets);
        expect(r.lost, JSON.stringify(n)).toBe(0);
        expect(r.duplicatedSubmissions, JSON.stringify(n)).toBe(0);
        expect(n['image x account recorded'], JSON.stringify(n)).toBe(n['image x account used']);
        expect(n['claims left open']).toBe(0);
        expect(n['recorded ids the account does not hold']).toBe(0);
        // The lost answers were met: uploads taken upstream without flowq knowing, then done again.
        expect(Number(n['assets held upstream'])).toBeGreaterThan(Number(n['image x account recorded']));
      },
      long ? 600_000 : 180_000,
    );
  });

  describe(`archiving under faults (${scale.name})`, () => {
    const owed = (r: ScenarioReport) => {
      const n = r.notes;
      expect(r.lost, JSON.stringify(n)).toBe(0);
      expect(r.duplicatedSubmissions, JSON.stringify(n)).toBe(0);
      expect(n['jobs without credits']).toBe(0);
      // 0 lost results: every clip kept, the simulator's very bytes.
      expect(n['videos archived'], JSON.stringify(n)).toBe(n['videos expected']);
      expect(n['files not archived'], JSON.stringify(n)).toBe(0);
      expect(n['sha256 mismatches']).toBe(0);
      // One job.succeeded event per job, under one delivery id.
      expect(n['callback events in outbox']).toBe(r.jobs);
      expect(n['events not job.succeeded']).toBe(0);
      expect(n['jobs with more than one delivery id']).toBe(0);
    };
    it(
      `${scale.archive.jobs} jobs while workers are killed mid-archive: nothing lost, no half file served`,
      async () => {
        const r = await runKilledMidArchiveScenario(scale);
        reports.push(r);
        expect(r.faults['kill -9 mid-archive']).toBe(scale.archive.kills);
        expect(r.notes['kills with a file half written']).toBeGreaterThan(0);
        owed(r);
      },
      long ? 600_000 : 180_000,
    );
    it(
      `${scale.archive.jobs} jobs while the media store is down for ${scale.archive.storeDownMs / 1000} s: retries, not failures`,
      async () => {
        const r = await runStoreDownScenario(scale);
        reports.push(r);
        expect(r.notes['file tries beyond the first']).toBeGreaterThan(0);
        owed(r);
      },
      long ? 600_000 : 180_000,
    );
  });
}

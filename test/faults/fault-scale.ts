/** How big a fault run is: `short` inside `pnpm test` (under a minute), `full` for `pnpm test:faults`. */
export interface FaultScale {
  name: 'short' | 'full';
  crash: {
    jobs: number;
    /** Jobs are posted evenly over this long, so faults always meet work in flight. */
    feedMs: number;
    kills: number;
    /** Kills happen every `killEveryMs` from `killEveryMs` on; the Redis wipe comes right after the last. */
    killEveryMs: number;
    cutMs: number;
  };
  mix: { jobs: number; feedMs: number };
  /**
   * The client's callback receiver is down for 10 minutes of flowq's time. `timeScale` shrinks
   * flowq's callback clock (backoff, cap, give-up horizon) and the outage alike, so the run
   * keeps the production schedule's shape in seconds.
   */
  callbacks: { jobs: number; timeScale: number };
  /**
   * Archiving under faults: jobs of two clips of `clipBytes` (a few MB, as Veo's); workers
   * SIGKILLed while a file is half written (`kills`, one every `killEveryMs` at most); the media
   * store refusing connections for `storeDownMs`.
   */
  archive: { jobs: number; clipBytes: number; kills: number; killEveryMs: number; storeDownMs: number };
  /**
   * Image uploads to useapi cut mid-way: jobs on `images` uploaded images of `imageBytes`; the
   * line to useapi cut `cuts` times while an upload is on the wire; `resets` uploads taken by
   * useapi whose answer is lost.
   */
  uploads: { jobs: number; images: number; imageBytes: number; cuts: number; resets: number };
}

export const SCALES: Record<FaultScale['name'], FaultScale> = {
  short: {
    name: 'short',
    crash: { jobs: 120, feedMs: 14_000, kills: 3, killEveryMs: 1_500, cutMs: 4_000 },
    mix: { jobs: 100, feedMs: 4_000 },
    callbacks: { jobs: 40, timeScale: 0.01 },
    archive: { jobs: 8, clipBytes: 2_000_000, kills: 2, killEveryMs: 1_000, storeDownMs: 5_000 },
    uploads: { jobs: 16, images: 4, imageBytes: 2_000_000, cuts: 2, resets: 2 },
  },
  full: {
    name: 'full',
    crash: { jobs: 500, feedMs: 95_000, kills: 20, killEveryMs: 2_000, cutMs: 30_000 },
    mix: { jobs: 500, feedMs: 20_000 },
    callbacks: { jobs: 200, timeScale: 0.05 },
    archive: { jobs: 40, clipBytes: 4_000_000, kills: 6, killEveryMs: 2_000, storeDownMs: 30_000 },
    uploads: { jobs: 80, images: 10, imageBytes: 8_000_000, cuts: 6, resets: 6 },
  },
};

export function scaleFromEnv(env: Record<string, string | undefined> = process.env): FaultScale {
  return env.FAULTS_SCALE === 'full' ? SCALES.full : SCALES.short;
}

import { ACCOUNT_STATS_WINDOW_MS } from '@flowq/db';
import type { AccountDetails } from '../../services/account-service';

/** An account as admins see it: ISO dates, live figures, its latest events. */
export function accountView({ row, live, stats, events }: AccountDetails) {
  return {
    email: row.email,
    tier: row.tier,
    enabled: row.enabled,
    state: row.state,
    stateReason: row.stateReason,
    coolingUntil: row.coolingUntil?.toISOString() ?? null,
    maxConcurrent: row.maxConcurrent,
    maxPerMinute: row.maxPerMinute,
    remainingCredits: row.remainingCredits,
    videoModels: row.videoModels,
    deniedModels: row.deniedModels,
    draining: row.draining,
    modelQuotaUntil: row.modelQuotaUntil,
    live,
    stats: { windowMinutes: ACCOUNT_STATS_WINDOW_MS / 60_000, recent: stats.recent, total: stats.total, meanGenerationMs: stats.meanGenerationMs },
    events: events.map((e) => ({
      at: e.at.toISOString(),
      kind: e.kind,
      fromState: e.fromState,
      toState: e.toState,
      reason: e.reason,
      until: e.until?.toISOString() ?? null,
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

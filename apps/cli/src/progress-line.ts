import type { BatchView } from './api-client';

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Jobs of the batch that have not ended. */
export function unfinishedOf(b: BatchView): number {
  return movingOf(b) + (b.counts.over_budget ?? 0);
}

/** Jobs that will end without anyone acting: all but those waiting for a bigger budget. */
export function movingOf(b: BatchView): number {
  return b.counts.queued + b.counts.submitting + b.counts.running + (b.counts.archiving ?? 0);
}

/**
 * One line of progress: a bar of ended jobs, the counts, the rate and the time left, e.g.
 * `[##########----------]  50% 50/100  done 48  failed 2  running 4  queued 46  2.5/s  ETA 0:18`.
 */
export function progressLine(b: BatchView, barWidth = 24): string {
  const { succeeded, failed, cancelled, running, submitting, queued } = b.counts;
  const archiving = b.counts.archiving ?? 0;
  const total = Math.max(1, b.accepted);
  const ended = succeeded + failed + cancelled;
  const filled = Math.min(barWidth, Math.floor((ended / total) * barWidth));
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const pct = `${Math.floor((ended / total) * 100)}%`.padStart(4);
  const rate = b.throughputPerMinute === null ? '-/s' : `${(b.throughputPerMinute / 60).toFixed(1)}/s`;
  const eta =
    unfinishedOf(b) === 0 ? 'done' : movingOf(b) === 0 ? 'waiting for budget' : b.etaSeconds === null ? 'ETA -' : `ETA ${formatDuration(b.etaSeconds)}`;
  const parts = [
    `${bar} ${pct} ${ended}/${b.accepted}`,
    `done ${succeeded}`,
    `failed ${failed}`,
    `running ${running + submitting}`,
    ...(archiving > 0 ? [`archiving ${archiving}`] : []),
    `queued ${queued}`,
    ...(b.counts.over_budget ? [`over budget ${b.counts.over_budget}`] : []),
  ];
  if (cancelled > 0) parts.push(`cancelled ${cancelled}`);
  parts.push(rate, eta);
  return parts.join('  ');
}

/** The status block of `flowq status`. */
export function statusText(b: BatchView): string {
  const lines = [
    `batch    ${b.id}${b.name ? `  (${b.name})` : ''}`,
    `status   ${b.status}`,
    `rows     ${b.total} (${b.accepted} accepted, ${b.rejected} rejected)`,
    `jobs     succeeded ${b.counts.succeeded}  failed ${b.counts.failed}  running ${b.counts.running + b.counts.submitting}  queued ${b.counts.queued}  cancelled ${b.counts.cancelled}`,
    `credits  ${b.credits.spent} spent, ~${b.credits.estimatedRemaining} to go`,
    `rate     ${b.throughputPerMinute === null ? '-' : `${b.throughputPerMinute} jobs/min`}`,
    `eta      ${unfinishedOf(b) === 0 ? '-' : b.etaSeconds === null ? 'unknown' : formatDuration(b.etaSeconds)}`,
    `started  ${b.startedAt ?? '-'}`,
    `finished ${b.finishedAt ?? '-'}`,
  ];
  return `${lines.join('\n')}\n`;
}

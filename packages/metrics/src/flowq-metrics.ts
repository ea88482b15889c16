import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { boundedLabel } from './bounded-label';

/**
 * The metrics one flowq process counts itself (each replica its own; Prometheus sums them).
 * Figures that describe the whole system (jobs by status, the account pool, queue sizes) are
 * read from Postgres and Redis instead, see world-gauges.ts, so every replica agrees on them.
 */
const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface FlowqMetrics {
  registry: Registry;
  /** Every answer useapi gave to a submission or a status read, by HTTP code and reason. */
  upstreamAnswers: Counter<'operation' | 'code' | 'reason'>;
  /** One run of a worker step (submit, poll, recover), by how it ended. */
  stepDuration: Histogram<'result'>;
  /** From acceptance to a terminal state, observed by the worker that ended the job. */
  jobDuration: Histogram<'status'>;
  /** Callbacks useapi delivered to the API, by what the API made of them. */
  callbackDeliveries: Counter<'result'>;
  /** Bytes copied into the media store by the archive step. */
  archivedBytes: Counter;
  /** Files copied into the media store, by kind (video, thumbnail). */
  archivedFiles: Counter<'kind'>;
  /** Copies that did not work, by what went wrong (dead_link, bad_content, transient) and what followed (retry, refresh, give_up). */
  archiveFailures: Counter<'reason' | 'action'>;
  /** Jobs per Postgres write of the API's group commit (POST /v1/jobs requests that arrived together). */
  intakeGroupSize: Histogram;
  /** Counts an upstream answer with its labels kept bounded (status codes and reasons come from outside). */
  countUpstreamAnswer(operation: string, status: number, reason: string | undefined): void;
}

export function createFlowqMetrics(options: { defaultLabels?: Record<string, string> } = {}): FlowqMetrics {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  collectDefaultMetrics({ register: registry });
  // Gauges that prom-client names like counters; Prometheus' own lint (promtool) rejects them.
  for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
  const upstreamAnswers = new Counter({
    name: 'flowq_upstream_answers_total',
    help: 'Answers from useapi.net by operation, HTTP status (0: no answer) and reason',
    labelNames: ['operation', 'code', 'reason'] as const,
    registers: [registry],
  });
  const seenReasons = new Set<string>();
  return {
    registry,
    upstreamAnswers,
    stepDuration: new Histogram({
      name: 'flowq_step_duration_seconds',
      help: 'Duration of one worker step (submit, status read, recovery) by result',
      labelNames: ['result'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    intakeGroupSize: new Histogram({
      name: 'flowq_intake_group_size',
      help: 'Jobs committed by one write of the API group commit (requests to POST /v1/jobs that arrived together)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'flowq_job_duration_seconds',
      help: 'From acceptance to the end of a job, by final status',
      labelNames: ['status'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400],
      registers: [registry],
    }),
    callbackDeliveries: new Counter({
      name: 'flowq_callback_deliveries_total',
      help: 'Callbacks received from useapi.net by result (accepted, rejected, invalid, error)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    archivedBytes: new Counter({
      name: 'flowq_archived_bytes_total',
      help: 'Bytes copied into the media store by the archive step',
      registers: [registry],
    }),
    archivedFiles: new Counter({
      name: 'flowq_archived_files_total',
      help: 'Files copied into the media store, by kind (video, thumbnail)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    archiveFailures: new Counter({
      name: 'flowq_archive_failures_total',
      help: 'Copies into the media store that did not work, by reason (dead_link, bad_content, transient) and action (retry, refresh, give_up)',
      labelNames: ['reason', 'action'] as const,
      registers: [registry],
    }),
    countUpstreamAnswer(operation, status, reason) {
      upstreamAnswers.inc({ operation, code: String(status), reason: boundedLabel(seenReasons, reason ?? 'none') });
    },
  };
}

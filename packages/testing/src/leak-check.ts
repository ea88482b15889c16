import { afterEach, beforeEach } from 'vitest';

/**
 * Fails a test that leaves a worker, a timer, a connection or a child process behind.
 * - Timers: every timer the test (or a library it drives) started and that is still pending,
 *   and holding the process open, when the test and its own hooks are done.
 * - Connections, servers, child processes: more of them alive than when the test started,
 *   after a moment to finish closing (what the file shares across tests may stay open).
 *
 * Checked: the test files under the folders below, where each test opens and closes what it
 * uses. Not checked: files that share an app, a pool, an HTTP keep-alive agent or an S3 client
 * across tests (they connect lazily on first use and arm idle timers), such as the API's route
 * tests and the cross-app tests in test/. A new folder joins the list once its tests pass the check.
 */
const CHECKED = [
  '/packages/core/',
  '/packages/queue/',
  '/packages/scheduler/src/pick-account',
  '/packages/scheduler/src/cool-off',
  '/packages/scheduler/src/service-backoff',
  '/packages/config/',
  '/packages/testing/',
  '/apps/worker/',
];

const HANDLES = ['TCPSocketWrap', 'TCPServerWrap', 'PipeWrap', 'ProcessWrap'];

type Timer = NodeJS.Timeout & { _destroyed?: boolean };
let started = new Set<Timer>();
let tracking = false;

// Timers are tracked at their creation: Node reports only how many exist, not whose they are.
const realSetTimeout = globalThis.setTimeout;
const realSetInterval = globalThis.setInterval;
function tracked<F extends (...args: never[]) => NodeJS.Timeout>(real: F): F {
  const wrapped = ((...args: Parameters<F>) => {
    const timer = real(...args) as Timer;
    if (tracking) started.add(timer);
    return timer;
  }) as F;
  return Object.assign(wrapped, real);
}
globalThis.setTimeout = tracked(realSetTimeout as never) as typeof setTimeout;
globalThis.setInterval = tracked(realSetInterval as never) as typeof setInterval;

function handleCounts(): Map<string, number> {
  const out = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) if (HANDLES.includes(kind)) out.set(kind, (out.get(kind) ?? 0) + 1);
  return out;
}

function leftBehind(before: Map<string, number>): string[] {
  const pending = [...started].filter((t) => !t._destroyed && t.hasRef()).length;
  const out = pending > 0 ? [`${pending} timer(s)`] : [];
  for (const [kind, n] of handleCounts()) if (n > (before.get(kind) ?? 0)) out.push(`${n - (before.get(kind) ?? 0)} ${kind}`);
  return out;
}

let before = new Map<string, number>();

beforeEach(() => {
  before = handleCounts();
  started = new Set();
  tracking = true;
});

afterEach(async (context) => {
  tracking = false;
  // A failed test has its own error to show (an `it.fails` one is marked failed already when it passed).
  if (context.task.result?.state === 'fail' && !context.task.fails) return;
  const file = context.task.file.filepath;
  if (!CHECKED.some((path) => file.includes(path))) return;
  // Sockets being closed need a few turns of the event loop to go.
  for (let i = 0; i < 40 && leftBehind(before).length > 0; i++) await new Promise((resolve) => realSetTimeout(resolve, 25));
  const extra = leftBehind(before);
  if (extra.length) throw new Error(`the test left behind ${extra.join(', ')}: close what it opened (or open it in beforeAll and close it in afterAll)`);
});

// The flowq console: plain DOM, no framework. It talks to the same /v1 API as every client,
// with the API key the person signed in with (kept in this browser's localStorage).

const KEY_STORAGE = 'flowq.apiKey';
/** How often a page re-reads its data while it is open. */
const REFRESH_MS = 2000;
const STATUSES = ['queued', 'over_budget', 'submitting', 'running', 'archiving', 'succeeded', 'failed', 'cancelled'];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let session = { key: localStorage.getItem(KEY_STORAGE), admin: false };
/** Timers of the page on screen; a route change clears them. */
let pageTimers = [];

class SignedOut extends Error {}

/** Builds an element: h('a', { href: '#/x', class: 'button' }, 'text', child). Text is always text, never HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${session.key}`);
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401) {
    signOut('That API key was refused. Sign in again.');
    throw new SignedOut();
  }
  return res;
}

async function apiJson(path, init) {
  const res = await api(path, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  return body;
}

function signOut(message) {
  localStorage.removeItem(KEY_STORAGE);
  session = { key: null, admin: false };
  showSignIn(message);
}

function clearPage() {
  for (const t of pageTimers) clearInterval(t);
  pageTimers = [];
  main.replaceChildren();
}

/** Runs `load` now and every REFRESH_MS while the page is on screen, without piling up calls. */
function live(load) {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await load();
    } catch (err) {
      if (!(err instanceof SignedOut)) console.warn(err);
    } finally {
      busy = false;
    }
  };
  pageTimers.push(setInterval(tick, REFRESH_MS));
  return tick();
}

const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const fmtNumber = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString());

function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return hh ? `${hh}h ${String(mm).padStart(2, '0')}m ${String(ss).padStart(2, '0')}s` : mm ? `${mm}m ${String(ss).padStart(2, '0')}s` : `${ss}s`;
}

/** A countdown to `iso` that ticks every second on its own (see tickCountdowns). */
const countdown = (iso) => h('span', { class: 'countdown', 'data-until': iso }, fmtDuration((new Date(iso).getTime() - Date.now()) / 1000));

function tickCountdowns() {
  for (const el of document.querySelectorAll('[data-until]')) {
    el.textContent = fmtDuration((new Date(el.dataset.until).getTime() - Date.now()) / 1000);
  }
}
setInterval(tickCountdowns, 1000);

const badge = (text) => h('span', { class: `badge ${text}` }, text.replace('_', ' '));

function progressBar(done, total, label) {
  const pct = total > 0 ? Math.round((100 * done) / total) : 0;
  return h(
    'div',
    { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct, 'aria-label': label },
    h('span', { style: `width: ${pct}%` }),
  );
}

function meter(used, limit) {
  const pct = limit > 0 ? Math.min(100, Math.round((100 * used) / limit)) : 0;
  return h('div', { class: 'meter' }, h('span', { style: `width: ${pct}%` }));
}

async function download(path, filename) {
  const res = await api(path);
  if (!res.ok) throw new Error(`download failed: ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- Sign in -------------------------------------------------------------------------------

function showSignIn(message) {
  clearPage();
  nav.hidden = true;
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'current-password', required: true, placeholder: 'flowq-dev-key in simulator mode' });
  const form = h(
    'form',
    {
      class: 'card signin',
      id: 'signin',
      onsubmit: async (e) => {
        e.preventDefault();
        error.textContent = '';
        const key = input.value.trim();
        const res = await fetch('/v1/batches?limit=1', { headers: { authorization: `Bearer ${key}` } });
        if (!res.ok) {
          error.textContent = res.status === 401 ? 'That API key was refused.' : `The API answered ${res.status}.`;
          return;
        }
        localStorage.setItem(KEY_STORAGE, key);
        session.key = key;
        await route();
      },
    },
    h('h1', {}, 'Sign in to flowq'),
    h('label', {}, 'API key', input),
    h('button', { class: 'primary', type: 'submit' }, 'Sign in'),
    error,
  );
  main.append(form);
  input.focus();
}

// --- Accounts ------------------------------------------------------------------------------

async function accountAction(email, action) {
  const path = `/v1/accounts/${encodeURIComponent(email)}`;
  if (action === 'cool') {
    const minutes = Number(prompt(`Cool ${email} off for how many minutes?`, '60'));
    if (!minutes) return;
    await apiJson(`${path}/cooldown`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ minutes, reason: 'cooled off from the console' }),
    });
  } else if (action === 'resume') {
    await apiJson(`${path}/cooldown`, { method: 'DELETE' });
  } else if (action === 'drain') {
    if (!confirm(`Drain ${email}? It takes no new jobs and is removed when its running jobs end.`)) return;
    await api(`${path}?drain=true`, { method: 'DELETE' });
  }
}

function accountRow(a) {
  const used = a.live?.running ?? 0;
  const rate = a.live?.submittedLastMinute ?? 0;
  // The configured limit is a ceiling; the working limit learned from throttling 429s applies when lower.
  const slotLimit = Math.min(a.maxConcurrent, a.live?.workingLimit ?? a.maxConcurrent);
  const act = (action, label, cls) =>
    h(
      'button',
      {
        type: 'button',
        class: cls,
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            await accountAction(a.email, action);
          } catch (err) {
            if (!(err instanceof SignedOut)) alert(err.message);
          }
          e.target.disabled = false;
        },
      },
      label,
    );
  return h(
    'tr',
    { 'data-account': a.email },
    h('td', { 'data-label': 'Account' }, h('strong', {}, a.email), h('div', { class: 'muted small' }, a.tier)),
    h(
      'td',
      { 'data-label': 'State' },
      badge(a.state),
      a.draining ? [' ', badge('draining')] : null,
      a.stateReason ? h('div', { class: 'muted small' }, a.stateReason) : null,
    ),
    h(
      'td',
      { 'data-label': 'Slots' },
      `${a.live ? used : '?'} / ${slotLimit}`,
      meter(used, slotLimit),
      slotLimit < a.maxConcurrent ? h('div', { class: 'muted small' }, `learned; configured ${a.maxConcurrent}`) : null,
    ),
    h('td', { 'data-label': 'Last minute' }, `${a.live ? rate : '?'} / ${a.maxPerMinute}`, meter(rate, a.maxPerMinute)),
    h('td', { 'data-label': `429s (${a.stats.windowMinutes} min)`, class: 'throttled' }, String(a.stats.recent.throttled)),
    h(
      'td',
      { 'data-label': 'Cooling until', class: 'cooling-until' },
      a.state === 'cooling' && a.coolingUntil ? [h('div', {}, fmtTime(a.coolingUntil)), countdown(a.coolingUntil)] : '—',
    ),
    h('td', { 'data-label': 'Credits' }, fmtNumber(a.remainingCredits)),
    session.admin
      ? h(
          'td',
          { class: 'row' },
          a.state === 'cooling' ? act('resume', 'Resume') : act('cool', 'Cool off'),
          a.draining ? null : act('drain', 'Drain', 'danger'),
        )
      : null,
  );
}

async function showAccounts() {
  const table = h('tbody');
  const note = h('p', { class: 'muted small' });
  main.append(
    h('h1', {}, 'Accounts'),
    note,
    h(
      'div',
      { class: 'card' },
      h(
        'table',
        { class: 'accounts-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Account', 'State', 'Slots busy', 'Submissions (1 min)', '429s (15 min)', 'Cooling until', 'Credits', session.admin ? 'Actions' : null]
              .filter(Boolean)
              .map((t) => h('th', {}, t)),
          ),
        ),
        table,
      ),
    ),
  );
  await live(async () => {
    const res = await api('/v1/accounts');
    if (res.status === 403) {
      note.textContent = 'The account pool is visible to admin keys only.';
      return;
    }
    const body = await res.json();
    note.textContent = `${body.items.length} accounts. Updated ${new Date().toLocaleTimeString()}.`;
    table.replaceChildren(...body.items.map(accountRow));
  });
}

// --- Batches -------------------------------------------------------------------------------

function batchSummary(b, withLinks) {
  const c = b.counts;
  const ended = c.succeeded + c.failed + c.cancelled;
  const total = STATUSES.reduce((n, s) => n + (c[s] ?? 0), 0);
  const pct = total ? Math.round((100 * ended) / total) : 0;
  const guard = (fn) => async (e) => {
    e.target.disabled = true;
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof SignedOut)) alert(err.message);
    }
    e.target.disabled = false;
  };
  return h(
    'div',
    { class: 'card batch', 'data-batch': b.id },
    h(
      'div',
      { class: 'row spread' },
      h('div', {}, h('strong', {}, b.name ?? b.id), ' ', badge(b.status), h('div', { class: 'muted small' }, `${b.id} · created ${fmtTime(b.createdAt)}`)),
      withLinks ? h('a', { class: 'button', href: `#/batches/${b.id}` }, 'Gallery') : null,
    ),
    h('div', { class: 'row', style: 'margin: 0.75rem 0' }, progressBar(ended, total, `${b.name ?? b.id} progress`), h('span', { class: 'pct' }, `${pct}%`)),
    h(
      'div',
      { class: 'row small' },
      ...STATUSES.filter((s) => c[s]).map((s) => h('span', {}, badge(s), ' ', String(c[s]))),
      b.rejected ? h('span', { class: 'error' }, `${b.rejected} rows refused at upload`) : null,
    ),
    h(
      'div',
      { class: 'row small muted', style: 'margin-top: 0.5rem' },
      h('span', {}, `Credits: ${fmtNumber(b.credits.spent)} spent, ~${fmtNumber(b.credits.estimatedRemaining)} to go`),
      h('span', {}, `ETA: ${b.etaSeconds === null ? '—' : fmtDuration(b.etaSeconds)}`),
      h('span', {}, `Throughput: ${b.throughputPerMinute ?? '—'}/min`),
    ),
    h(
      'div',
      { class: 'row', style: 'margin-top: 0.75rem' },
      h('button', { type: 'button', onclick: guard(() => download(`/v1/batches/${b.id}/results?format=csv`, `${b.id}.csv`)) }, 'Download CSV'),
      h('button', { type: 'button', onclick: guard(() => download(`/v1/batches/${b.id}/results?format=json`, `${b.id}.json`)) }, 'Download JSON'),
      c.failed
        ? h('button', { type: 'button', onclick: guard(() => apiJson(`/v1/batches/${b.id}/retry`, { method: 'POST' })) }, `Retry ${c.failed} failed`)
        : null,
      c.queued + (c.over_budget || 0) + c.submitting + c.running + (c.archiving || 0)
        ? h(
            'button',
            {
              type: 'button',
              class: 'danger',
              onclick: guard(() => confirm('Cancel every unfinished job of this batch?') && apiJson(`/v1/batches/${b.id}/cancel`, { method: 'POST' })),
            },
            'Cancel',
          )
        : null,
    ),
  );
}

function uploadForm(onDone) {
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true });
  const name = h('input', { type: 'text', name: 'name', placeholder: 'optional' });
  const message = h('p', { class: 'small', role: 'status' });
  return h(
    'form',
    {
      class: 'card',
      id: 'upload',
      onsubmit: async (e) => {
        e.preventDefault();
        if (!file.files[0]) return;
        message.className = 'small';
        message.textContent = 'Uploading…';
        const form = new FormData();
        form.append('file', file.files[0]);
        const query = name.value.trim() ? `?name=${encodeURIComponent(name.value.trim())}` : '';
        try {
          const res = await api(`/v1/batches${query}`, { method: 'POST', body: form });
          const body = await res.json();
          if (!res.ok) {
            message.className = 'small error';
            const first = body.errors?.[0] ?? body.error;
            message.textContent = `${body.error?.message ?? 'Upload refused'}${first?.row ? ` (row ${first.row}, ${first.column}: ${first.message})` : ''}`;
            return;
          }
          message.textContent = `Batch ${body.id}: ${body.accepted} rows accepted${body.rejected ? `, ${body.rejected} refused` : ''}.`;
          e.target.reset();
          await onDone();
        } catch (err) {
          if (!(err instanceof SignedOut)) {
            message.className = 'small error';
            message.textContent = err.message;
          }
        }
      },
    },
    h('h2', { style: 'margin-top: 0' }, 'Upload a CSV'),
    h(
      'p',
      { class: 'muted small' },
      'One row per video: a prompt column, and optionally model, aspectRatio, duration, resolution, count, seed, ref (docs/models.md lists the models and their rules).',
    ),
    h('div', { class: 'row' }, h('label', {}, 'File ', file), h('label', {}, 'Name ', name), h('button', { class: 'primary', type: 'submit' }, 'Upload')),
    message,
  );
}

async function showBatches() {
  const list = h('div', { id: 'batch-list' });
  const load = async () => {
    const body = await apiJson('/v1/batches?limit=50');
    list.replaceChildren(
      ...(body.items.length ? body.items.map((b) => batchSummary(b, true)) : [h('p', { class: 'muted' }, 'No batches yet. Upload a CSV above.')]),
    );
  };
  main.append(h('h1', {}, 'Batches'), uploadForm(load), list);
  await live(load);
}

// --- A batch's gallery ---------------------------------------------------------------------

/** Every job of the batch in input order (pages of 1000). */
async function batchJobs(id, status) {
  const out = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ limit: '1000' });
    if (status) q.set('status', status);
    if (cursor) q.set('cursor', cursor);
    const page = await apiJson(`/v1/batches/${id}/jobs?${q}`);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

function playOnClick(button, video) {
  button.addEventListener('click', () => {
    const player = h('video', { src: video.downloadUrl || video.url, controls: true, autoplay: true, muted: true, playsinline: true, preload: 'auto' });
    player.muted = true;
    button.replaceWith(h('div', { class: 'media' }, player));
  });
}

function clipCards(job, portrait) {
  const row = `#${job.batchRow ?? '?'}`;
  const caption = (extra) =>
    h('div', { class: 'caption' }, h('a', { href: `#/jobs/${job.id}` }, row), ' ', badge(job.status), extra ? h('div', { class: 'muted small' }, extra) : null);
  const mediaClass = portrait ? 'media portrait' : 'media';
  if (job.status === 'failed' || job.status === 'cancelled') {
    const reason = job.error ? `${job.error.code}: ${job.error.message}` : job.status;
    return [h('div', { class: 'clip failed', 'data-row': job.batchRow }, h('div', { class: mediaClass }, reason), caption(job.request.prompt))];
  }
  const videos = job.result?.videos ?? [];
  if (videos.length === 0) {
    return [h('div', { class: 'clip', 'data-row': job.batchRow }, h('div', { class: mediaClass }, job.status), caption(job.request.prompt))];
  }
  return videos.map((v, i) => {
    if (v.status === 'failed') {
      return h('div', { class: 'clip failed', 'data-row': job.batchRow }, h('div', { class: mediaClass }, 'this clip failed'), caption(`clip ${i + 1}`));
    }
    const button = h(
      'button',
      { type: 'button', class: `${mediaClass} thumb`, 'aria-label': `Play row ${job.batchRow} clip ${i + 1}` },
      v.thumbnailUrl ? h('img', { src: v.thumbnailDownloadUrl || v.thumbnailUrl, alt: `row ${job.batchRow} clip ${i + 1}`, loading: 'lazy' }) : 'play',
    );
    playOnClick(button, v);
    return h(
      'div',
      { class: 'clip', 'data-row': job.batchRow, 'data-clip': i + 1 },
      button,
      caption(videos.length > 1 ? `clip ${i + 1} of ${videos.length}` : job.request.prompt),
    );
  });
}

async function showGallery(id) {
  let filter = '';
  const head = h('div');
  const grid = h('div', { class: 'gallery', id: 'gallery' });
  const failures = h('div');
  const filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filter by status' });
  /** Rows already drawn with their final picture: a refresh leaves them (and a playing video) alone. */
  let drawn = new Map();
  const setFilter = (s) => {
    filter = s;
    drawn = new Map();
    grid.replaceChildren();
    for (const b of filters.children) b.setAttribute('aria-pressed', String(b.dataset.status === s));
    void load();
  };
  for (const s of ['', ...STATUSES])
    filters.append(h('button', { type: 'button', 'data-status': s, 'aria-pressed': String(s === filter), onclick: () => setFilter(s) }, s || 'all'));
  const load = async () => {
    const [batch, jobs] = await Promise.all([apiJson(`/v1/batches/${id}`), batchJobs(id, filter)]);
    head.replaceChildren(batchSummary(batch, false));
    const next = new Map();
    const cards = [];
    for (const job of jobs) {
      const ended = ['succeeded', 'failed', 'cancelled'].includes(job.status);
      const kept = drawn.get(job.id);
      const nodes = kept && kept.ended ? kept.nodes : clipCards(job, job.request.aspectRatio === 'portrait');
      next.set(job.id, { ended, nodes });
      cards.push(...nodes);
    }
    drawn = next;
    // Re-append in input order; nodes kept from the last draw keep their state (a playing video).
    grid.replaceChildren(...cards);
    const failed = jobs.filter((j) => j.status === 'failed');
    failures.replaceChildren(
      ...(failed.length
        ? [
            h('h2', {}, `Failed rows (${failed.length})`),
            h(
              'table',
              {},
              h('thead', {}, h('tr', {}, h('th', {}, 'Row'), h('th', {}, 'Prompt'), h('th', {}, 'Reason'))),
              h(
                'tbody',
                {},
                failed.map((j) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: `#/jobs/${j.id}` }, `#${j.batchRow}`)),
                    h('td', {}, j.request.prompt),
                    h('td', { class: 'error' }, j.error ? `${j.error.code}: ${j.error.message}` : 'failed'),
                  ),
                ),
              ),
            ),
          ]
        : []),
    );
  };
  main.append(h('p', {}, h('a', { href: '#/batches' }, '← Batches')), head, filters, grid, failures);
  await live(load);
}

// --- A job ---------------------------------------------------------------------------------

async function showJob(id) {
  const body = h('div');
  const load = async () => {
    const [job, timeline] = await Promise.all([apiJson(`/v1/jobs/${id}`), apiJson(`/v1/jobs/${id}/timeline`)]);
    const events = [
      ...timeline.attempts.map((a) => ({
        at: a.at,
        cls: 'attempt',
        text: `${a.kind}${a.account ? ` on ${a.account}` : ''}: ${[a.statusCode, a.outcome, a.reason].filter((x) => x !== null && x !== undefined).join(' · ') || 'pending'}${a.durationMs !== null ? ` (${a.durationMs} ms)` : ''}`,
      })),
      ...timeline.accountEvents.map((e) => ({
        at: e.at,
        cls: 'account',
        text: `${e.account}: ${e.kind.replace('_', ' ')}${e.toState ? ` → ${e.toState}` : ''}${e.reason ? ` (${e.reason})` : ''}${e.until ? ` until ${fmtTime(e.until)}` : ''}`,
      })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    const videos = job.result?.videos ?? [];
    body.replaceChildren(
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'row spread' }, h('h1', { style: 'margin: 0' }, job.id), badge(job.status)),
        h(
          'div',
          { class: 'row small muted', style: 'margin-top: 0.5rem' },
          h('span', {}, `Created ${fmtTime(job.createdAt)}`),
          job.completedAt ? h('span', {}, `Ended ${fmtTime(job.completedAt)}`) : null,
          job.account ? h('span', {}, `Account ${job.account}`) : null,
          h('span', {}, `Attempts ${job.attempts}`),
          job.batchId ? h('a', { href: `#/batches/${job.batchId}` }, 'Its batch') : null,
        ),
        job.error ? h('p', { class: 'error' }, `${job.error.code}: ${job.error.message}`) : null,
      ),
      h('h2', {}, 'Request'),
      h('pre', {}, JSON.stringify(job.request, null, 2)),
      h('h2', {}, 'Results'),
      videos.length
        ? h(
            'div',
            { class: 'gallery' },
            videos.map((v, i) =>
              h(
                'div',
                { class: 'clip' },
                v.status === 'failed'
                  ? h('div', { class: 'media' }, 'this clip failed')
                  : h(
                      'div',
                      { class: 'media' },
                      h('video', {
                        src: v.downloadUrl || v.url,
                        poster: v.thumbnailDownloadUrl || v.thumbnailUrl || undefined,
                        controls: true,
                        preload: 'none',
                        playsinline: true,
                      }),
                    ),
                h('div', { class: 'caption' }, `clip ${i + 1}`, v.seed !== null ? ` · seed ${v.seed}` : ''),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No videos yet.'),
      h('h2', {}, 'Timeline'),
      events.length
        ? h(
            'ol',
            { class: 'timeline' },
            events.map((e) => h('li', { class: e.cls }, h('div', { class: 'muted small' }, fmtTime(e.at)), e.text)),
          )
        : h('p', { class: 'muted' }, 'Nothing yet.'),
    );
  };
  main.append(body);
  // A finished job no longer changes: one read is enough, but a running one is followed.
  await live(load);
}

// --- Routing -------------------------------------------------------------------------------

async function route() {
  if (!session.key) return showSignIn();
  clearPage();
  nav.hidden = false;
  const [, page, id] = location.hash.replace(/^#/, '').split('/');
  for (const a of nav.querySelectorAll('[data-nav]')) a.toggleAttribute('aria-current', a.dataset.nav === (page || 'batches'));
  for (const a of nav.querySelectorAll('[data-nav]')) if (a.hasAttribute('aria-current')) a.setAttribute('aria-current', 'page');
  try {
    // Admin keys see the pool and its actions; others see their own batches and jobs.
    session.admin = (await api('/v1/accounts?limit=1')).ok;
    if (page === 'accounts') await showAccounts();
    else if (page === 'batches' && id) await showGallery(decodeURIComponent(id));
    else if (page === 'jobs' && id) await showJob(decodeURIComponent(id));
    else await showBatches();
  } catch (err) {
    if (!(err instanceof SignedOut)) main.append(h('p', { class: 'error' }, err.message));
  }
}

document.getElementById('sign-out').addEventListener('click', () => signOut('Signed out.'));
window.addEventListener('hashchange', () => void route());
void route();

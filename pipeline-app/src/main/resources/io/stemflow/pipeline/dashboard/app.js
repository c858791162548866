/*
 * stemflow's operator dashboard (issue 19, docs/dashboard.md): one page, hash routes, no build step.
 *
 * Rules this file keeps:
 * - every value from the API is untrusted text: the DOM is built with createElement/textContent, never innerHTML;
 *   a link's href is set only for http(s) URLs;
 * - the Content-Security-Policy allows no inline script or style attribute: styles are classes of app.css;
 * - the token lives in sessionStorage (stemflow.token) and goes out as "Authorization: Bearer" on every API call;
 *   a 401 anywhere shows the sign-in form again;
 * - state is never told by colour alone: every state carries its name and a character (✓ ✗ ‖ ...), characters
 *   that Debian's DejaVu fonts have (⏸ and ⌛ are missing there and show as boxes).
 */
'use strict';

(() => {
  const TOKEN_KEY = 'stemflow.token';
  const API = 'api/'; // relative to /dashboard/
  const ENDED = ['COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'REPLAYED'];
  const STATES = {
    REQUESTED: '•', THROTTLED: '◐', QUEUED: '⋯', PAUSED: '‖', ADMITTED: '→', SUBMITTED: '↗',
    RECONCILING: '⟳', COMPLETED: '✓', FAILED: '✗', TIMED_OUT: '◷', CANCELLED: '⊘', REPLAYED: '↻', UNKNOWN: '?',
  };
  const LEDGER_KINDS = { GRANT: '+', RESERVATION: '◔', CAPTURE: '✓', RELEASE: '↩' };
  const NUMBER = new Intl.NumberFormat('en-US');
  const DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  const STALL_MS = 45000; // the server sends a keep-alive every 15 s: silence this long means a dead stream
  const MAX_BACKOFF_MS = 30000;

  const $ = (id) => document.getElementById(id);

  /** Raised for a 401: the caller shows the sign-in form. */
  class Unauthorized extends Error {}

  /** An API error answer ({"error", "message"}) with its HTTP status. */
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.code = body && body.error;
      this.body = body || {};
    }
  }

  const app = {
    session: null,   // {role, auth}
    view: null,      // the mounted view: {update(data), ...}
    stream: null,    // the live subscription of the mounted view
    routeKey: null,
  };

  // ---- DOM helpers ---------------------------------------------------------------------------------------------

  /** h('td', {class: 'num', dataset: {testid: 'x'}}, 'text', child...): text children become text nodes. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }

  function setAttrs(el, attrs) {
    if (!attrs) return;
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'testid') el.setAttribute('data-testid', v);
      else if (k === 'dataset') Object.entries(v).forEach(([dk, dv]) => { el.dataset[dk] = String(dv); });
      else if (k === 'onclick') el.addEventListener('click', v);
      else if (k === 'text') el.textContent = String(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) el.setAttribute(k, String(v));
    }
    for (const c of children) {
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  // ---- formatting ----------------------------------------------------------------------------------------------

  function num(n) {
    if (n === null || n === undefined || n === '') return '—';
    const x = Number(n);
    return Number.isFinite(x) ? NUMBER.format(x) : String(n);
  }

  /** A time as local time, its ISO text in the title (and datetime) attribute. */
  function time(iso) {
    if (!iso) return h('span', { class: 'muted' }, '—');
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return h('span', null, String(iso));
    return h('time', { datetime: d.toISOString(), title: String(iso) },
      d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }));
  }

  function shortTime(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  }

  function duration(seconds) {
    const s = Math.max(0, Math.round(Number(seconds)));
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  function stateBadge(state, testid) {
    const name = String(state || 'UNKNOWN');
    const symbol = Object.prototype.hasOwnProperty.call(STATES, name) ? STATES[name] : '?';
    const cls = ENDED.includes(name) ? (name === 'COMPLETED' ? 'ok' : (name === 'REPLAYED' ? 'neutral' : 'bad'))
      : (name === 'PAUSED' ? 'warn' : 'busy');
    return h('span', { class: `badge badge-${cls}`, testid, dataset: { state: name } },
      h('span', { class: 'sym', 'aria-hidden': 'true' }, symbol), ' ', name.replace(/_/g, ' '));
  }

  /** A link only for http(s) URLs: a value from the API must never become a javascript: or data: link. */
  function safeLink(url, label, testid) {
    let parsed = null;
    try { parsed = new URL(String(url), document.baseURI); } catch (e) { parsed = null; }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      return h('code', { testid }, String(url));
    }
    return h('a', { href: parsed.href, rel: 'noopener noreferrer', target: '_blank', testid }, label);
  }

  function routeLink(parts, label, testid) {
    return h('a', { href: '#/' + parts.map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join('/'), testid }, label);
  }

  function table(caption, head, rows, attrs) {
    const t = h('table', attrs);
    if (caption) t.append(h('caption', null, caption));
    t.append(h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col', class: c.cls }, c.label || c)))));
    t.append(h('tbody', null, rows));
    return h('div', { class: 'table-wrap', tabindex: '0' }, t);
  }

  function card(title, testid, ...body) {
    return h('section', { class: 'card', testid, 'aria-label': title }, h('h2', null, title), ...body);
  }

  function errorBox(err) {
    const text = err instanceof ApiError && err.code ? `${err.code}: ${err.message}` : String(err.message || err);
    return h('p', { class: 'error', role: 'alert', testid: 'view-error' }, h('span', { 'aria-hidden': 'true' }, '✗ '), text);
  }

  function ended(counts) {
    return ENDED.reduce((sum, s) => sum + Number((counts || {})[s] || 0), 0);
  }

  // ---- API -----------------------------------------------------------------------------------------------------

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function headers(extra) {
    const hs = Object.assign({ Accept: 'application/json' }, extra || {});
    const t = token();
    if (t) hs.Authorization = `Bearer ${t}`;
    return hs;
  }

  async function api(path, options) {
    const opts = Object.assign({ cache: 'no-store', credentials: 'omit' }, options || {});
    opts.headers = headers(opts.headers);
    const resp = await fetch(API + path, opts);
    if (resp.status === 401) throw new Unauthorized('the token was refused');
    let body = null;
    const text = await resp.text();
    if (text) {
      try { body = JSON.parse(text); } catch (e) { body = { error: 'bad_response', message: text.slice(0, 200) }; }
    }
    if (!resp.ok) throw new ApiError(resp.status, body);
    return body;
  }

  const get = (path) => api(path);
  const post = (path, body) => api(path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });

  // ---- live updates: fetch + stream reader (an EventSource cannot send the Authorization header) --------------

  /**
   * Follows /dashboard/api/events?view=... and calls onUpdate with each "update" event's JSON. Reconnects with
   * backoff (1 s doubling to 30 s, reset by the next update) when the stream drops, ends or goes silent.
   */
  function subscribe(view, onUpdate, onError) {
    const sub = { closed: false, controller: null, timer: null, attempt: 0 };
    const setLive = (state, text) => {
      if (sub.closed) return;
      const el = $('live');
      el.textContent = text;
      el.dataset.state = state;
      el.className = `live live-${state}`;
    };

    const retry = () => {
      if (sub.closed) return;
      const wait = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** sub.attempt);
      sub.attempt += 1;
      setLive('reconnecting', `○ reconnecting in ${Math.round(wait / 1000)} s…`);
      sub.timer = setTimeout(connect, wait);
    };

    async function connect() {
      if (sub.closed) return;
      sub.controller = new AbortController();
      let stall = null;
      const arm = () => {
        clearTimeout(stall);
        stall = setTimeout(() => sub.controller.abort(), STALL_MS);
      };
      setLive('connecting', sub.attempt === 0 ? '… connecting' : '○ reconnecting…');
      try {
        arm();
        const resp = await fetch(`${API}events?view=${encodeURIComponent(view)}`, {
          headers: headers({ Accept: 'text/event-stream' }), cache: 'no-store', credentials: 'omit',
          signal: sub.controller.signal,
        });
        if (resp.status === 401) throw new Unauthorized('the token was refused');
        if (!resp.ok || !resp.body) {
          let body = null;
          try { body = await resp.json(); } catch (e) { body = null; }
          throw new ApiError(resp.status, body);
        }
        const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = sseParser((event, data) => {
          if (event === 'update') {
            let value;
            try { value = JSON.parse(data); } catch (e) { return; }
            sub.attempt = 0;
            setLive('live', '● live');
            onUpdate(value);
          } else if (event === 'unavailable') {
            let value = null;
            try { value = JSON.parse(data); } catch (e) { value = null; }
            setLive('unavailable', `⚠ figures unavailable${value && value.message ? `: ${value.message}` : ''}`);
          } else if (event === 'error') {
            let value = null;
            try { value = JSON.parse(data); } catch (e) { value = { error: 'error', message: data }; }
            onError(new ApiError(value && value.error === 'not_found' ? 404 : 500, value));
          }
        });
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          arm();
          parser(value);
        }
        clearTimeout(stall);
        retry();
      } catch (e) {
        clearTimeout(stall);
        if (sub.closed) return;
        if (e instanceof Unauthorized) { signInAgain(); return; }
        retry();
      }
    }

    sub.close = () => {
      sub.closed = true;
      clearTimeout(sub.timer);
      if (sub.controller) sub.controller.abort();
    };
    connect();
    return sub;
  }

  /**
   * A text/event-stream parser (the WHATWG rules that matter here): lines end with CRLF, LF or CR; a blank line
   * dispatches the event; ":" starts a comment (the keep-alive); "field: value" loses one leading space.
   */
  function sseParser(dispatch) {
    let buffer = '';
    let event = '';
    let data = [];
    let pendingCR = false;
    return (chunk) => {
      buffer += chunk;
      if (pendingCR && buffer.startsWith('\n')) buffer = buffer.slice(1);
      pendingCR = false;
      let m;
      const lineEnd = /\r\n|\r|\n/g;
      let start = 0;
      while ((m = lineEnd.exec(buffer)) !== null) {
        if (m[0] === '\r' && m.index === buffer.length - 1) { pendingCR = true; }
        const line = buffer.slice(start, m.index);
        start = m.index + m[0].length;
        if (line === '') {
          if (data.length) dispatch(event || 'message', data.join('\n'));
          event = '';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
      }
      buffer = buffer.slice(start);
    };
  }

  // ---- sign-in -------------------------------------------------------------------------------------------------

  function showSignIn(message) {
    stopView();
    app.session = null;
    $('nav').hidden = true;
    $('who').hidden = true;
    clear($('view'));
    $('signin').hidden = false;
    const err = $('signin-error');
    err.hidden = !message;
    err.textContent = message || '';
    const dialog = $('confirm-dialog');
    if (dialog.open) dialog.close();
    $('token-input').focus();
  }

  function signInAgain() {
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage disabled */ }
    showSignIn('The token was refused or has expired: sign in again.');
  }

  async function boot() {
    let session;
    try {
      session = await get('session');
    } catch (e) {
      if (e instanceof Unauthorized) {
        const hadToken = !!token();
        try { sessionStorage.removeItem(TOKEN_KEY); } catch (x) { /* storage disabled */ }
        showSignIn(hadToken ? 'That token was refused.' : null);
      } else {
        $('signin').hidden = true;
        clear($('view')).append(errorBox(new Error(`The dashboard API does not answer: ${e.message}`)));
      }
      return;
    }
    app.session = session;
    $('signin').hidden = true;
    $('nav').hidden = false;
    $('who').hidden = false;
    const role = session.role === 'operator' ? 'operator' : 'viewer';
    $('role').textContent = session.auth === 'off' ? `${role} (auth off)` : role;
    $('role').dataset.role = role;
    $('signout').hidden = session.auth === 'off';
    route(true);
  }

  function isOperator() {
    return !!app.session && app.session.role === 'operator';
  }

  // ---- routing -------------------------------------------------------------------------------------------------

  function parseRoute() {
    const parts = location.hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '').map((p) => {
      try { return decodeURIComponent(p); } catch (e) { return p; }
    });
    if (parts.length === 0) return { name: 'overview', stream: 'overview' };
    if (parts[0] === 'batches' && parts.length === 2) return { name: 'batch', id: parts[1], stream: `batch/${parts[1]}` };
    if (parts[0] === 'jobs' && parts.length === 2) return { name: 'job', id: parts[1], stream: `job/${parts[1]}` };
    if (parts[0] === 'accounts' && parts.length === 1) return { name: 'accounts', stream: 'overview' };
    if (parts[0] === 'accounts' && parts.length === 2) {
      return { name: 'account', id: parts[1], stream: `account/${parts[1]}` };
    }
    return { name: 'notfound' };
  }

  function stopView() {
    if (app.stream) app.stream.close();
    app.stream = null;
    app.view = null;
    app.routeKey = null;
  }

  function route(force) {
    if (!app.session) return;
    const r = parseRoute();
    const key = `${r.name}/${r.id || ''}`;
    if (!force && key === app.routeKey) return;
    stopView();
    app.routeKey = key;
    document.body.dataset.view = r.name;
    document.body.dataset.route = location.hash || '#/';
    const container = clear($('view'));
    const views = { overview: overviewView, batch: batchView, job: jobView, accounts: accountsView, account: accountView };
    const make = views[r.name];
    if (!make) {
      container.append(h('h1', null, 'Not found'), h('p', null, 'No such page. ', h('a', { href: '#/' }, 'Go to the overview')));
      return;
    }
    const view = make(r, container);
    app.view = view;
    document.title = `${view.title} · stemflow`;
    let got = false;
    const onData = (data) => {
      if (app.view !== view) return;
      got = true;
      view.update(data);
    };
    const onError = (e) => {
      if (app.view !== view) return;
      if (e instanceof Unauthorized) { signInAgain(); return; }
      if (!got) view.failed(e);
    };
    // a plain GET first (the page shows at once, even where a proxy buffers the stream), then the live feed
    get(view.path).then(onData, onError);
    app.stream = subscribe(r.stream, onData, onError);
    $('main').focus({ preventScroll: true });
  }

  /** A view's skeleton: a heading, a body re-rendered on each update, an error line. */
  function frame(container, title, testid) {
    const heading = h('h1', { testid: 'page-title' }, title);
    const body = h('div', { class: 'view-body', testid, 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
    container.append(heading, body);
    return {
      heading,
      body,
      render(...nodes) {
        clear(body).append(...nodes.flat().filter(Boolean));
        body.setAttribute('aria-busy', 'false');
      },
      failed(e) {
        clear(body).append(errorBox(e));
        body.setAttribute('aria-busy', 'false');
      },
    };
  }

  // ---- overview ------------------------------------------------------------------------------------------------

  function overviewView(r, container) {
    const f = frame(container, 'Overview', 'overview');
    return {
      title: 'Overview',
      path: 'overview',
      failed: f.failed,
      update(d) {
        const jobs = d.jobs || {};
        f.render(
          h('p', { class: 'asof' }, feedLine(d.feed), d.asOf ? ' · as of ' : ' · updated ', time(d.asOf || new Date().toISOString())),
          h('div', { class: 'grid' },
            card('Jobs by state', 'overview-jobs',
              h('p', { class: 'big' }, h('span', { testid: 'overview-total' }, num(jobs.total)), ' jobs'),
              stateTable(jobs.byState, jobs.total)),
            card('Provider calls, last hour', 'overview-provider', providerChart(d.provider || {})),
            card('Dead letters', 'overview-dead-letters', deadLetters(d.deadLetters || {}))),
          card('Credits per account', 'overview-accounts', accountsTable(d.accounts || [], false)),
          card('Batches', 'overview-batches', batchesTable(d.batches || [])));
      },
    };
  }

  function feedLine(feed) {
    if (!feed) return h('span', { testid: 'feed' }, 'feed: unknown');
    return feed.caughtUp
      ? h('span', { testid: 'feed' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'feed caught up')
      : h('span', { testid: 'feed' }, h('span', { 'aria-hidden': 'true' }, '⟳ '),
        `feed catching up (${num(feed.lagRecords)} records behind)`);
  }

  function stateTable(byState, total) {
    const entries = Object.entries(byState || {});
    if (entries.length === 0) return h('p', { class: 'muted', testid: 'no-states' }, 'No jobs yet.');
    const rows = entries.map(([state, n]) => h('tr', { dataset: { state } },
      h('th', { scope: 'row' }, stateBadge(state)),
      h('td', { class: 'num', testid: `state-${state}` }, num(n)),
      h('td', { class: 'num muted' }, total ? `${DECIMAL.format((100 * Number(n)) / Number(total))} %` : '')));
    return table(null, ['State', { label: 'Jobs', cls: 'num' }, { label: 'Share', cls: 'num' }], rows,
      { class: 'states', testid: 'states' });
  }

  /** Seconds from a number, an ISO-8601 duration ("PT10S") or {seconds}; null when none of these. */
  function seconds(x) {
    if (typeof x === 'number' && Number.isFinite(x)) return x;
    if (x && typeof x === 'object' && Number.isFinite(Number(x.seconds))) return Number(x.seconds);
    const m = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(String(x || ''));
    if (!m || (!m[1] && !m[2] && !m[3])) return null;
    return 3600 * Number(m[1] || 0) + 60 * Number(m[2] || 0) + Number(m[3] || 0);
  }

  /**
   * The provider's calls per window of the last hour as bars, with the limit as a dashed line. The server may
   * count calls in windows longer than the provider's own (e.g. per minute against 20 calls per 10 s): then the
   * line is at what the limit allows per bar ({@code limitPerWindow}).
   */
  function providerChart(p) {
    const windows = Array.isArray(p.windows) ? p.windows : [];
    const limit = p.limit || null;
    const limitSeconds = limit ? seconds(limit.windowSeconds != null ? limit.windowSeconds : limit.window) : null;
    const barSeconds = seconds(p.windowSeconds) || limitSeconds;
    let perBar = null;
    if (Number.isFinite(Number(p.limitPerWindow)) && p.limitPerWindow !== null) perBar = Number(p.limitPerWindow);
    else if (limit) perBar = Number(limit.calls);
    const parts = [];
    if (limit) {
      parts.push(h('p', { testid: 'provider-limit' }, 'Limit: ', h('strong', null, num(limit.calls)), ' calls per ',
        limitSeconds != null ? duration(limitSeconds) : 'window',
        barSeconds && limitSeconds && barSeconds !== limitSeconds && perBar !== null
          ? ` (${num(Math.floor(perBar))} per ${duration(barSeconds)} bar)` : ''));
    } else {
      parts.push(h('p', { class: 'muted', testid: 'provider-limit' }, 'No limit known.'));
    }
    if (p.error) parts.push(h('p', { class: 'notice', testid: 'provider-error' }, h('span', { 'aria-hidden': 'true' }, '⚠ '), p.error));
    if (windows.length === 0) {
      parts.push(h('p', { class: 'muted', testid: 'provider-windows' }, 'No provider calls measured in the last hour yet.'));
      return parts;
    }
    const calls = windows.map((w) => Number(w.calls) || 0);
    const max = Math.max(1, ...calls, perBar !== null ? perBar * 1.15 : 0);
    const W = 360;
    const H = 120;
    const barW = W / windows.length;
    const y = (v) => H - (H * v) / max;
    const chart = svg('svg', {
      viewBox: `0 0 ${W} ${H + 2}`, class: 'chart', role: 'img', 'data-testid': 'provider-chart',
      'aria-label': `Provider calls per window over the last hour: ${windows.length} windows, busiest ${num(Math.max(...calls))} calls` +
        (perBar !== null ? `, limit ${num(Math.floor(perBar))} per bar` : ''),
    });
    windows.forEach((w, i) => {
      const v = calls[i];
      const over = perBar !== null && v > perBar;
      const bar = svg('rect', {
        x: (i * barW + barW * 0.1).toFixed(2), y: y(v).toFixed(2), width: Math.max(0.5, barW * 0.8).toFixed(2),
        height: (H - y(v)).toFixed(2), class: `bar${over ? ' over' : ''}${w.partial ? ' partial' : ''}`, 'data-calls': v,
      });
      bar.append(svg('title', null, `${shortTime(w.start)}: ${num(v)} calls${over ? ' (over the limit)' : ''}`
        + `${w.partial ? ' (part of the window measured)' : ''}`));
      chart.append(bar);
      if (over && windows.length <= 60) {
        chart.append(svg('text', { x: (i * barW + barW / 2).toFixed(2), y: Math.max(8, y(v) - 2).toFixed(2),
          class: 'over-mark', 'text-anchor': 'middle' }, '▲'));
      }
    });
    chart.append(svg('line', { x1: 0, x2: W, y1: H, y2: H, class: 'axis' }));
    if (perBar !== null) {
      const ly = y(perBar).toFixed(2);
      chart.append(svg('line', { x1: 0, x2: W, y1: ly, y2: ly, class: 'limit', 'data-testid': 'provider-limit-line' }));
    }
    const busiest = Math.max(...calls);
    const total = calls.reduce((a, b) => a + b, 0);
    parts.push(chart);
    parts.push(h('p', { class: 'chart-axis' }, h('span', null, shortTime(windows[0].start)), h('span', null, shortTime(windows[windows.length - 1].start))));
    if (perBar !== null) parts.push(h('p', { class: 'legend' }, h('span', { class: 'legend-limit', 'aria-hidden': 'true' }), ' dashed line: the limit'));
    const overCount = perBar !== null ? calls.filter((v) => v > perBar).length : 0;
    parts.push(h('p', { testid: 'provider-windows', dataset: { windows: windows.length } },
      `${num(total)} calls in ${num(windows.length)} windows${barSeconds ? ` of ${duration(barSeconds)}` : ''}; busiest window ${num(busiest)}`,
      perBar !== null ? ` of ${num(Math.floor(perBar))} allowed` : '', `; latest window ${num(calls[calls.length - 1])}.`,
      overCount ? ` ⚠ ${num(overCount)} windows went over the limit${windows.length <= 60 ? ' (marked ▲)' : ''}.` : ''));
    return parts;
  }

  function deadLetters(dl) {
    const entries = Object.entries(dl.byKind || {});
    return [
      h('p', { class: 'big' }, h('span', { testid: 'deadletters-total' }, num(dl.total || 0)), ' dead letters'),
      entries.length === 0 ? h('p', { class: 'muted' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'None.')
        : table(null, ['Reason', { label: 'Records', cls: 'num' }], entries.map(([kind, n]) => h('tr', null,
          h('th', { scope: 'row' }, kind.replace(/_/g, ' ')), h('td', { class: 'num', testid: `deadletter-${kind}` }, num(n))))),
    ];
  }

  function accountsTable(accounts, full) {
    if (accounts.length === 0) return h('p', { class: 'muted', testid: 'no-accounts' }, 'No accounts yet.');
    const head = ['Account', { label: 'Granted', cls: 'num' }, { label: 'Reserved', cls: 'num' },
      { label: 'Spent', cls: 'num' }, { label: 'Available', cls: 'num' }];
    if (full) head.push({ label: 'Jobs held', cls: 'num' });
    const rows = accounts.map((a) => {
      const low = Number(a.available) < 0;
      return h('tr', { testid: 'account-row', dataset: { account: a.accountId } },
        h('th', { scope: 'row' }, routeLink(['accounts', a.accountId], a.accountId)),
        h('td', { class: 'num', testid: 'granted' }, num(a.granted)),
        h('td', { class: 'num', testid: 'reserved' }, num(a.reserved)),
        h('td', { class: 'num', testid: 'spent' }, num(a.spent)),
        h('td', { class: low ? 'num warn-text' : 'num', testid: 'available' }, low ? '⚠ ' : '', num(a.available)),
        full ? h('td', { class: 'num', testid: 'held' }, num(a.held)) : null);
    });
    return table(null, head, rows, { testid: 'accounts-table' });
  }

  function batchesTable(batches) {
    if (batches.length === 0) return h('p', { class: 'muted', testid: 'no-batches' }, 'No batches yet.');
    const rows = batches.map((b) => {
      const done = ended(b.counts);
      const total = Number(b.total) || 0;
      const failed = Number((b.counts || {}).FAILED || 0) + Number((b.counts || {}).TIMED_OUT || 0);
      const bar = h('progress', { max: Math.max(1, total), value: done, 'aria-label': `batch ${b.batchId}: ${done} of ${total} ended` });
      return h('tr', { testid: 'batch-row', dataset: { batch: b.batchId } },
        h('th', { scope: 'row' }, routeLink(['batches', b.batchId], b.batchId, 'batch-link')),
        h('td', { class: 'num', testid: 'batch-total' }, num(total)),
        h('td', { class: 'num', testid: 'batch-ended' }, num(done)),
        h('td', { class: 'progress-cell' }, bar, ' ', done >= total && total > 0 ? '✓ done' : `${pct(done, total)}`),
        h('td', { class: 'num' }, failed ? `✗ ${num(failed)}` : '0'),
        h('td', { class: 'num' }, num(b.spentCredits)));
    });
    return table(null, ['Batch', { label: 'Jobs', cls: 'num' }, { label: 'Ended', cls: 'num' }, 'Progress',
      { label: 'Failed', cls: 'num' }, { label: 'Credits spent', cls: 'num' }], rows, { testid: 'batches-table' });
  }

  function pct(part, whole) {
    return whole > 0 ? `${DECIMAL.format((100 * part) / whole)} %` : '—';
  }

  // ---- batch ---------------------------------------------------------------------------------------------------

  function batchView(r, container) {
    const f = frame(container, `Batch ${r.id}`, 'batch');
    f.heading.before(h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Overview')));
    const actions = h('div', { class: 'actions', testid: 'actions' });
    const result = h('p', { class: 'result', testid: 'action-result', role: 'status', 'aria-live': 'polite', hidden: true });
    if (isOperator()) {
      for (const [action, label, sym] of [['pause', 'Pause batch', '‖'], ['resume', 'Resume batch', '▶'],
        ['cancel', 'Cancel batch', '⊘'], ['replay', 'Replay failed jobs', '↻']]) {
        actions.append(h('button', {
          type: 'button', class: action === 'cancel' ? 'danger' : '', testid: `action-${action}`,
          onclick: () => runAction(r.id, action, actions, result),
        }, h('span', { 'aria-hidden': 'true' }, `${sym} `), label));
      }
      f.heading.after(actions, result);
    }
    return {
      title: `Batch ${r.id}`,
      path: `batches/${encodeURIComponent(r.id)}`,
      failed: f.failed,
      update(d) {
        const b = d.batch || {};
        const total = Number(b.total) || 0;
        const done = Number(d.done != null ? d.done : ended(b.counts));
        const progress = h('progress', {
          id: 'batch-progress', testid: 'batch-progress', max: Math.max(1, total), value: done,
          'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': done,
          'aria-label': `${done} of ${total} jobs ended`,
        });
        f.render(
          h('section', { class: 'card wide', 'aria-label': 'Progress' },
            h('div', { class: 'progress-line' }, progress,
              h('span', { class: 'progress-text' }, h('strong', { testid: 'batch-done' }, num(done)), ' of ',
                h('span', { testid: 'batch-total' }, num(total)), ' jobs ended (', pct(done, total), ')')),
            h('p', null, 'Waiting: ', h('strong', { testid: 'batch-waiting' }, num(d.waiting)),
              ' · ETA: ', h('strong', { testid: 'batch-eta' }, eta(d.eta, done, total)),
              ' · credits reserved ', h('span', { testid: 'batch-reserved' }, num(b.reservedCredits)),
              ', spent ', h('span', { testid: 'batch-spent' }, num(b.spentCredits)))),
          h('div', { class: 'grid' },
            card('Jobs by state', 'batch-states', stateTable(b.counts, total)),
            card('Stems by type', 'batch-stems', stemsTable(d.stems || {})),
            card('Queue', 'batch-queue', queue(d.queue))),
          card('Failures', 'batch-failures', failures(d.failures || {})));
      },
    };
  }

  function eta(e, done, total) {
    if (total > 0 && done >= total) return '✓ done';
    if (!e || e.seconds === null || e.seconds === undefined) return 'unknown (no job ended in the last 5 minutes)';
    return `about ${duration(e.seconds)}` + (e.jobsPerMinute != null ? ` at ${DECIMAL.format(e.jobsPerMinute)} jobs/min` : '');
  }

  function stemsTable(stems) {
    const entries = Object.entries(stems);
    if (entries.length === 0) return h('p', { class: 'muted' }, 'No stems yet.');
    return table(null, ['Stem', { label: 'Count', cls: 'num' }], entries.map(([stem, n]) => h('tr', null,
      h('th', { scope: 'row' }, stem.toLowerCase().replace(/_/g, ' ')), h('td', { class: 'num', testid: `stem-${stem}` }, num(n)))));
  }

  function queue(q) {
    if (!q) return h('p', { class: 'muted' }, 'Queue figures are unavailable.');
    const lanes = Array.isArray(q.lanes) ? q.lanes : [];
    const out = [h('p', null, h('strong', { testid: 'queue-waiting' }, num(q.waiting)), ' jobs waiting in the scheduler')];
    if (lanes.length) {
      out.push(table(null, ['Class', 'Account', { label: 'Waiting', cls: 'num' }, 'Held', { label: 'Ahead', cls: 'num' },
        { label: 'Share', cls: 'num' }], lanes.map((l) => h('tr', null,
        h('td', null, l.priority), h('td', null, l.accountId), h('td', { class: 'num' }, num(l.waiting)),
        h('td', null, l.cancelled ? '⊘ cancelled' : (l.paused ? '‖ paused' : '▶ running')),
        h('td', { class: 'num' }, num(l.ahead)),
        h('td', { class: 'num' }, `${DECIMAL.format(100 * Number(l.share || 0))} %`)))));
    }
    const controls = Array.isArray(q.controls) ? q.controls : [];
    if (controls.length) {
      out.push(h('p', { class: 'muted' }, `Controls in force: ${controls.map((c) => c.action || JSON.stringify(c)).join(', ')}`));
    }
    return out;
  }

  function failures(fl) {
    const byCode = Object.entries(fl.byCode || {});
    const latest = Array.isArray(fl.latest) ? fl.latest : [];
    const out = [h('p', null, h('strong', { testid: 'failures-total' }, num(fl.total || 0)), ' failed jobs')];
    if (byCode.length) {
      out.push(table('By provider code', ['Code', { label: 'Jobs', cls: 'num' }], byCode.map(([code, n]) => h('tr', null,
        h('th', { scope: 'row' }, code), h('td', { class: 'num', testid: `failure-code-${code}` }, num(n))))));
    }
    if (latest.length) {
      out.push(table('Latest failures', ['Job', 'Kind', 'Code', 'Message', 'When'], latest.map((x) => h('tr', { testid: 'failure-row' },
        h('td', null, routeLink(['jobs', x.requestId], x.requestId)),
        h('td', null, h('span', { 'aria-hidden': 'true' }, '✗ '), String(x.kind || '').replace(/_/g, ' ')),
        h('td', null, x.code == null ? '—' : String(x.code)),
        h('td', { class: 'message' }, x.reason || '—'),
        h('td', null, time(x.at))))));
    } else if (!fl.total) {
      out.push(h('p', { class: 'muted' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'No failures.'));
    }
    return out;
  }

  // ---- actions: preview, confirm, post -------------------------------------------------------------------------

  async function runAction(batchId, action, buttons, result) {
    const path = `batches/${encodeURIComponent(batchId)}/actions/${action}`;
    const setBusy = (busy) => buttons.querySelectorAll('button').forEach((b) => { b.disabled = busy; });
    const show = (ok, text) => {
      result.hidden = false;
      result.className = ok ? 'result ok' : 'result error';
      result.dataset.outcome = ok ? 'ok' : 'error';
      result.textContent = `${ok ? '✓' : '✗'} ${text}`;
    };
    setBusy(true);
    try {
      let preview = await get(path);
      let stale = false;
      for (;;) {
        const answer = await confirmDialog(preview.description, stale);
        if (!answer) { result.hidden = true; return; }
        const body = { confirm: preview.description };
        if (answer.reason) body.reason = answer.reason;
        try {
          const done = await post(path, body);
          show(true, outcome(done, preview));
          return;
        } catch (e) {
          if (e instanceof ApiError && e.status === 409 && e.code === 'stale_confirmation') {
            stale = true;
            preview = e.body.description ? { description: e.body.description } : await get(path);
            continue;
          }
          throw e;
        }
      }
    } catch (e) {
      if (e instanceof Unauthorized) { signInAgain(); return; }
      const text = e instanceof ApiError && e.status === 403
        ? `Not allowed: ${e.message} (an operator token is needed)` : `${action} failed: ${e.message}`;
      show(false, text);
    } finally {
      closeDialog();
      setBusy(false);
    }
  }

  /** What the server said it did: the command sent, or for a replay how many jobs went and why others did not. */
  function outcome(done, preview) {
    let text = `Sent: ${done.description || preview.description}`;
    if (done.commandId) text += ` (command ${done.commandId})`;
    if (done.replayed !== undefined) {
      text += `: ${num(done.replayed)} replayed, ${num(done.skippedCount || 0)} skipped`;
      const skipped = Array.isArray(done.skipped) ? done.skipped : [];
      if (skipped.length) text += ` (${skipped.slice(0, 5).map((x) => `${x.requestId}: ${x.reason}`).join('; ')}${skipped.length > 5 ? '; …' : ''})`;
    }
    return text;
  }

  let dialogAnswer = null;

  /** Shows the description in the dialog; resolves {reason} on Confirm, null on Back or Escape. */
  function confirmDialog(description, stale) {
    const dialog = $('confirm-dialog');
    $('confirm-text').textContent = description;
    $('confirm-stale').hidden = !stale;
    $('confirm-error').hidden = true;
    $('confirm-ok').disabled = false;
    if (!stale) $('confirm-reason').value = '';
    return new Promise((resolve) => {
      dialogAnswer = resolve;
      if (!dialog.open) dialog.showModal();
      $('confirm-back').focus();
    });
  }

  function answerDialog(value) {
    const resolve = dialogAnswer;
    dialogAnswer = null;
    if (value) $('confirm-ok').disabled = true;
    if (resolve) resolve(value);
  }

  function closeDialog() {
    const dialog = $('confirm-dialog');
    if (dialog.open) dialog.close();
  }

  // ---- job -----------------------------------------------------------------------------------------------------

  function jobView(r, container) {
    const f = frame(container, `Job ${r.id}`, 'job');
    return {
      title: `Job ${r.id}`,
      path: `jobs/${encodeURIComponent(r.id)}`,
      failed: f.failed,
      update(d) {
        const j = d.job || {};
        const archived = d.archived || {};
        const facts = [
          ['State', stateBadge(j.state, 'job-state')],
          ['Batch', j.batchId ? routeLink(['batches', j.batchId], j.batchId, 'job-batch') : '—'],
          ['Account', j.accountId ? routeLink(['accounts', j.accountId], j.accountId, 'job-account') : '—'],
          ['Type', j.type || '—'],
          ['Attempt', num(j.attempt)],
          ['Credits', num(j.credits)],
          ['Provider task', j.providerTaskId ? h('code', null, j.providerTaskId) : '—'],
          ['Requested', time(j.requestedAt)],
          ['Completed', time(j.completedAt)],
        ];
        f.render(
          h('dl', { class: 'facts', testid: 'job-facts' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
          h('div', { class: 'grid' },
            card('Stems', 'job-stems', stems(j.stems || [], archived)),
            card('Timeline', 'job-timeline-card', timeline(j.history || []))));
      },
    };
  }

  function stems(list, archived) {
    const names = new Set(list.map((s) => s.stem));
    const rows = list.map((s) => h('tr', { testid: 'stem-row', dataset: { stem: s.stem } },
      h('th', { scope: 'row' }, String(s.stem || '').toLowerCase().replace(/_/g, ' ')),
      h('td', null, s.url ? safeLink(s.url, 'download', 'stem-link') : '—'),
      h('td', { class: 'path' }, archivedCell(archived, s.stem))));
    // archived copies of stems the job no longer lists (kept anyway)
    for (const [stem, where] of Object.entries(archived)) {
      if (!names.has(stem) && !names.has(stem.toUpperCase())) {
        rows.push(h('tr', { testid: 'stem-row', dataset: { stem } }, h('th', { scope: 'row' }, stem), h('td', null, '—'),
          h('td', { class: 'path' }, h('code', { testid: 'archived' }, String(where)))));
      }
    }
    if (rows.length === 0) return h('p', { class: 'muted' }, 'No stems yet.');
    return table(null, ['Stem', 'Provider link', 'Archived copy'], rows, { testid: 'stems-table' });
  }

  function archivedCell(archived, stem) {
    const key = [stem, String(stem).toLowerCase(), String(stem).toUpperCase()].find((k) => archived[k]);
    return key ? h('code', { testid: 'archived' }, String(archived[key])) : h('span', { class: 'muted' }, 'not archived yet');
  }

  function timeline(history) {
    if (history.length === 0) return h('p', { class: 'muted' }, 'No history.');
    return h('ol', { class: 'timeline', testid: 'job-timeline' }, history.map((e) => h('li', { testid: 'timeline-entry' },
      h('div', null, stateBadge(e.state), e.previousState && e.previousState !== e.state
        ? h('span', { class: 'muted' }, ` from ${String(e.previousState).replace(/_/g, ' ')}`) : null),
      h('div', { class: 'muted' }, time(e.at), e.times > 1 ? ` · ×${num(e.times)} until ` : '', e.times > 1 ? time(e.lastAt) : null,
        e.attempt ? ` · attempt ${num(e.attempt)}` : ''),
      e.reason || e.code != null ? h('div', { class: 'message' }, [e.code != null ? `code ${e.code}` : null, e.reason || null]
        .filter((x) => x !== null && x !== '').join(': ')) : null)));
  }

  // ---- accounts ------------------------------------------------------------------------------------------------

  function accountsView(r, container) {
    const f = frame(container, 'Accounts', 'accounts');
    return {
      title: 'Accounts',
      path: 'overview',
      failed: f.failed,
      update(d) {
        const accounts = d.accounts || [];
        f.render(h('p', { class: 'asof' }, `${num(accounts.length)} accounts · ${d.asOf ? 'as of' : 'updated'} `, time(d.asOf || new Date().toISOString())),
          h('p', { class: 'muted' }, 'granted = available + reserved + spent'),
          accountsTable(accounts, true));
      },
    };
  }

  function accountView(r, container) {
    const f = frame(container, `Account ${r.id}`, 'account');
    f.heading.before(h('p', { class: 'crumbs' }, routeLink(['accounts'], '← Accounts')));
    return {
      title: `Account ${r.id}`,
      path: `accounts/${encodeURIComponent(r.id)}`,
      failed: f.failed,
      update(d) {
        const a = d.account || {};
        const history = Array.isArray(d.history) ? d.history : [];
        const figures = [['Granted', a.granted, 'granted'], ['Available', a.available, 'available'],
          ['Reserved', a.reserved, 'reserved'], ['Spent', a.spent, 'spent'], ['Jobs held', a.held, 'held']];
        f.render(
          h('dl', { class: 'figures', testid: 'account-balance' }, figures.map(([k, v, id]) =>
            h('div', null, h('dt', null, k), h('dd', { testid: `account-${id}` }, num(v))))),
          card('History (latest first)', 'account-history',
            history.length === 0 ? h('p', { class: 'muted' }, 'No entries.')
              : table(null, ['When', 'Kind', { label: 'Credits', cls: 'num' }, 'Job', 'Reason'], history.map((e) => h('tr', { testid: 'history-row' },
                h('td', null, time(e.at)),
                h('td', null, h('span', { 'aria-hidden': 'true' }, `${LEDGER_KINDS[e.kind] || '•'} `), String(e.kind || '').toLowerCase()),
                h('td', { class: 'num' }, num(e.credits)),
                h('td', null, e.requestId ? routeLink(['jobs', e.requestId], e.requestId) : '—'),
                h('td', { class: 'message' }, e.reason || '—'))))));
      },
    };
  }

  // ---- start ---------------------------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('signin-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = $('token-input').value.trim();
      if (!value) return;
      try { sessionStorage.setItem(TOKEN_KEY, value); } catch (e) { /* storage disabled */ }
      $('token-input').value = '';
      boot();
    });
    $('signout').addEventListener('click', (ev) => {
      ev.preventDefault();
      try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage disabled */ }
      showSignIn('Signed out.');
    });
    $('confirm-ok').addEventListener('click', () => answerDialog({ reason: $('confirm-reason').value.trim() }));
    $('confirm-back').addEventListener('click', () => { answerDialog(null); closeDialog(); });
    $('confirm-dialog').addEventListener('cancel', () => answerDialog(null)); // Escape
    window.addEventListener('hashchange', () => route(false));
    boot();
  });
})();

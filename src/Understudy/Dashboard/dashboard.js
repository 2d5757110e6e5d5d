// The dashboard's behaviour: sign-in, polling the API, approving, opening drill reports (sites.js: the Sites panel).
// The token lives in sessionStorage (this tab only) and in the Authorization header. It is never put in
// the DOM, a URL or the console, and an error message shows the API's problem detail, never a request.

const TOKEN_KEY = 'understudy.token';
const POLL_MS = 1000;
const MAX_BACKOFF_MS = 30000;
const DRILLS_EVERY_MS = 10000; // drills are rare; their list need not be as fresh as the services
const EVENTS_KEPT = 200;
const EVENTS_WINDOW_MS = 24 * 3600 * 1000;
const REQUEST_TIMEOUT_MS = 10000;
const tokensRequired = document.body.dataset.auth === 'tokens';
const $ = id => document.getElementById(id);

const state = { me: null, timer: 0, polling: false, again: false, failures: 0, drillsAt: 0, lastEventId: 0, eventsSince: '', shown: {} };

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const headers = { Accept: 'application/json', ...options.headers };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { ...options, headers, cache: 'no-store', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new ApiError(response.status, (problem && problem.detail) || `HTTP ${response.status}`);
  }
  return response;
}

const getJson = async path => (await api(path)).json();

async function start() {
  clearTimeout(state.timer);
  if (tokensRequired && !sessionStorage.getItem(TOKEN_KEY)) return showSignIn('');
  try {
    state.me = await getJson('/api/whoami');
  } catch (e) {
    if (e.status === 401) return showSignIn('The controller did not accept that token.');
    setConnection(`Cannot reach the controller (${e.message}); trying again.`);
    state.timer = setTimeout(start, backoff(++state.failures));
    return;
  }
  $('sign-in').hidden = true;
  $('main').hidden = false;
  $('who').hidden = false;
  $('sign-out').hidden = !tokensRequired;
  $('who-text').textContent = tokensRequired
    ? `Signed in as ${state.me.name} (${state.me.role})`
    : 'No sign-in: this API has no tokens, so every caller has every right';
  state.eventsSince = new Date(Date.now() - EVENTS_WINDOW_MS).toISOString();
  poll();
}

function showSignIn(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(state.timer);
  Object.assign(state, { me: null, failures: 0, drillsAt: 0, lastEventId: 0, shown: {} });
  for (const id of ['services', 'sites', 'requests', 'schedule', 'trends', 'drills', 'events']) $(id).replaceChildren();
  $('main').hidden = true;
  $('who').hidden = true;
  $('cluster').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  setConnection('');
  $('token').focus();
}

function backoff(failures) {
  return failures === 0 ? POLL_MS : Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS);
}

function setConnection(text) {
  if ($('connection').textContent !== text) $('connection').textContent = text;
}

// One poll at a time; a call while one runs (after an approval) asks for the next one at once.
async function poll() {
  if (state.polling) { state.again = true; return; }
  clearTimeout(state.timer);
  state.polling = true;
  try {
    const [status, cluster, requests, sites, events] = await Promise.all([
      getJson('/api/status'), getJson('/api/cluster'), getJson('/api/requests?state=awaiting_approval'), getJson('/api/sites'), newEvents()]);
    if (!state.me) return;
    showStatus(status);
    showCluster(cluster);
    showRequests(requests.requests);
    showSites(sites, status.services);
    showEvents(events);
    state.failures = 0;
    setConnection('');
    if (Date.now() >= state.drillsAt) await refreshDrills();
  } catch (e) {
    if (e.status === 401) return showSignIn('The controller no longer accepts this token.');
    state.failures++;
    setConnection(`Cannot reach the controller (${e.message}); trying again in ${Math.round(backoff(state.failures) / 1000)} s.`);
  } finally {
    state.polling = false;
    if (state.me) state.timer = setTimeout(poll, state.again ? 0 : backoff(state.failures));
    state.again = false;
  }
}

// Events after the last one shown, in pages, keeping only what the list will show.
async function newEvents() {
  let after = state.lastEventId;
  let fresh = [];
  for (;;) {
    const query = new URLSearchParams({ after, since: state.eventsSince, limit: 1000 });
    const page = await getJson(`/api/events?${query}`);
    fresh = fresh.concat(page.events).slice(-EVENTS_KEPT);
    if (page.events.length) after = page.events[page.events.length - 1].id;
    if (page.next_after == null) return fresh;
  }
}

function showStatus(status) {
  const c = status.controller;
  $('controller').textContent = `Controller ${c.version}, started ${fmt.dateTime(c.started_at)}`;
  showIfChanged('services', status.services, services => services.map(serviceCard));
}

function showCluster(cluster) {
  const line = clusterLine(cluster);
  $('cluster').hidden = !line;
  $('cluster').textContent = line || '';
  // An instance that holds or does not route, or may not lead, is worth a second look.
  $('cluster').classList.toggle('attention', cluster.routing !== 'open' || Boolean(cluster.problem));
}

// Rebuilds a section only when its data changed, so focus and scroll stay put between polls.
function showIfChanged(id, data, build) {
  const json = JSON.stringify(data);
  if (state.shown[id] === json) return;
  state.shown[id] = json;
  $(id).replaceChildren(...build(data));
}

// One card per item, found by its data-KEY attribute: new items get one, gone ones lose theirs, the others are updated
// in place and kept in the items' order, so a comment being typed survives the next poll.
function showKeyed(container, key, items, idOf, build, update) {
  const ids = new Set(items.map(idOf));
  for (const card of [...container.children]) if (!ids.has(card.dataset[key])) card.remove();
  const cards = items.map(item => {
    const card = [...container.children].find(c => c.dataset[key] === idOf(item)) || build(item);
    update(card, item);
    return card;
  });
  if (cards.some((card, i) => container.children[i] !== card)) container.append(...cards);
}

function showRequests(requests) {
  showKeyed($('requests'), 'request', requests, r => r.id,
    r => requestCard(r, state.me, (verb, card) => decide(`/api/requests/${encodeURIComponent(r.id)}`, verb, card)), updateRequestCard);
  $('no-requests').hidden = requests.length > 0;
}

function showEvents(events) {
  if (events.length === 0) return;
  const list = $('events');
  for (const e of events) list.prepend(eventItem(e));
  while (list.children.length > EVENTS_KEPT) list.lastElementChild.remove();
  state.lastEventId = events[events.length - 1].id;
}

async function refreshDrills() {
  state.drillsAt = Date.now() + DRILLS_EVERY_MS;
  await Promise.all([
    refreshPart('drills', '/api/drills', p => [drillsTable(p, openReport, download)], 'list the drill reports'),
    refreshPart('trends', '/api/drills/trends', trendFigures, 'draw the drill trends'),
    refreshPart('schedule', '/api/drills/schedule', scheduleTable, 'list the scheduled drills'),
  ]);
}

// One section from one API call; its own error line says what failed, and the rest of the page goes on.
async function refreshPart(id, path, build, what) {
  try {
    showIfChanged(id, await getJson(path), build);
    $(`${id}-error`).textContent = '';
  } catch (e) {
    if (e.status === 401) throw e;
    $(`${id}-error`).textContent = `Cannot ${what}: ${e.message}`;
  }
}

// Approves or rejects what PATH names (a request, a site operation) with the card's comment.
async function decide(path, verb, card) {
  const buttons = card.querySelectorAll('.decision button');
  const error = card.querySelector('.decision .error');
  buttons.forEach(b => { b.disabled = true; });
  try {
    await api(`${path}/${verb}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ comment: card.querySelector('.decision input').value.trim() }),
    });
    error.textContent = '';
    poll();
  } catch (e) {
    if (e.status === 401) return showSignIn('The controller no longer accepts this token.');
    error.textContent = `${verb === 'approve' ? 'Approving' : 'Rejecting'} failed: ${e.message}`;
  } finally {
    buttons.forEach(b => { b.disabled = false; });
  }
}

const reportUrl = (drill, file) => `/drills/${encodeURIComponent(drill.folder)}/${file}`;

// A link cannot carry the bearer token, so the page fetches the report itself and shows it in a frame
// sandboxed without scripts or this page's origin: the report cannot read the token or call the API.
async function openReport(drill) {
  try {
    const html = await (await api(reportUrl(drill, 'report.html'), { headers: { Accept: 'text/html' } })).text();
    $('report-title').textContent = drill.name || drill.folder;
    $('report-frame').srcdoc = html;
    $('report').showModal();
  } catch (e) {
    $('drills-error').textContent = `Cannot open the report of ${drill.folder}: ${e.message}`;
  }
}

async function download(drill, file) {
  try {
    const url = URL.createObjectURL(await (await api(reportUrl(drill, file), { headers: { Accept: '*/*' } })).blob());
    const link = el('a', { href: url, download: `${drill.folder}-${file}` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) {
    $('drills-error').textContent = `Cannot download ${file} of ${drill.folder}: ${e.message}`;
  }
}

$('sign-in-form').addEventListener('submit', event => {
  event.preventDefault();
  const input = $('token');
  const token = input.value.trim();
  input.value = '';
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  start();
});
$('sign-out').addEventListener('click', () => showSignIn(''));
$('report-close').addEventListener('click', () => $('report').close());
$('report').addEventListener('close', () => { $('report-frame').srcdoc = ''; });
start();

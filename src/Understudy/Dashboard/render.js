'use strict';
// Builds the dashboard's DOM from API answers. Every string from the API goes in as a text node or an
// attribute value (el below), never parsed as HTML, so nothing the API returns can become markup.

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

const fmt = {
  words: s => String(s).replaceAll('_', ' '),
  time: iso => (iso ? new Date(iso).toLocaleTimeString() : '—'),
  dateTime: iso => (iso ? new Date(iso).toLocaleString() : '—'),
  ms: n => (n == null ? '—' : n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`),
  yesNo: b => (b == null ? '—' : b ? 'yes' : 'no'),
  bytes: n => {
    if (n == null) return '—';
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
  },
};

// "cluster shop · leader ctl-b · this instance ctl-a (routing open)", and why not, when this instance may not
// lead or route; null for a single controller (cluster ""), which has nothing to tell.
function clusterLine(c) {
  if (!c.cluster) return null;
  const leader = c.leader ? `leader ${c.leader}` : 'no leader';
  const problem = c.problem ? ` · ${c.problem}` : '';
  return `cluster ${c.cluster} · ${leader} · this instance ${c.instance} (routing ${fmt.words(c.routing)})${problem}`;
}

function timeEl(iso, text) {
  return el('time', { datetime: iso, title: iso, text });
}

// A coloured word; the class carries only letters and underscores, whatever the API sends.
function badge(word) {
  return el('span', { class: `badge badge-${String(word).replace(/[^a-z_]/g, '')}`, text: fmt.words(word) });
}

function fact(term, value, field) {
  return [el('dt', { text: term }), el('dd', { 'data-field': field }, value)];
}

function serviceCard(s) {
  const titleId = `service-title-${s.name}`;
  const f = s.failover;
  return el('article', { class: 'card service', 'data-service': s.name, 'aria-labelledby': titleId },
    el('h3', { id: titleId }, s.name, ' ', badge(s.phase)),
    el('dl', { class: 'facts' },
      fact('Primary', s.primary, 'primary'),
      fact('Routable', s.routable ?? 'none', 'routable'),
      fact('Epoch', String(s.epoch), 'epoch'),
      fact('Kind, mode', `${s.kind}, ${s.settings.mode}`, 'mode'),
      s.paused && fact('Paused', `by ${s.paused.by} since ${fmt.time(s.paused.since)}: ${s.paused.reason}`, 'paused'),
      s.veto && fact('Veto', vetoText(s.veto), 'veto'),
      // A refusal's hold reason says what the veto line says.
      s.hold_reason && s.veto?.state !== 'vetoed' && fact('Held', s.hold_reason, 'held'),
      f && fact(f.kind === 'switchover' ? 'Switchover' : 'Failover', `${f.from} → ${f.to}, epoch ${f.epoch}, ${fmt.words(f.stage)}`, 'change'),
      s.open_request && fact('Open request', el('a', { href: `#request-${s.open_request}`, text: s.open_request }), 'open-request')),
    table(`Members of ${s.name}`, ['Member', 'Role', 'Health', 'Lag', 'Writable', 'Needs rejoin', 'Last check'], s.members.map(m => memberRow(s, m))));
}

// "⛔ failover web-a → web-b vetoed: veto hook 1 `…` exited 1: …; asked again at 12:00:31", or that the hooks are being asked.
function vetoText(v) {
  const change = `${v.kind} ${v.from} → ${v.to}${v.request ? ` (request ${v.request})` : ''}`;
  return v.state === 'asking'
    ? `asking veto hooks whether the ${change} may start (since ${fmt.time(v.since)})…`
    : `⛔ ${change} vetoed: ${v.reason}; asked again at ${fmt.time(v.retry_at)}`;
}

// A table whose rows become labelled lists on a phone (.stack in the CSS): each cell carries its column's name.
function table(caption, headers, rows) {
  for (const row of rows) [...row.children].forEach((cell, i) => cell.setAttribute('data-label', headers[i]));
  return el('div', { class: 'table-wrap' },
    el('table', { class: 'stack' },
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, rows)));
}

function memberRow(s, m) {
  return el('tr', { 'data-member': m.name },
    el('th', { scope: 'row', text: m.name }),
    el('td', { 'data-field': 'role', text: m.name === s.routable ? `${m.role}, routable` : m.role }),
    el('td', { 'data-field': 'health' }, badge(m.health), m.suspected ? [' ', badge('suspected')] : null),
    el('td', { text: fmt.bytes(m.lag_bytes) }),
    el('td', { text: fmt.yesNo(m.writable) }),
    el('td', { text: m.needs_rejoin ? 'yes' : 'no' }),
    el('td', { class: 'detail', text: m.last_detail || '—' }));
}

// Requests keep their card while they wait, so a comment being typed survives the next poll.
function requestCard(r, me, onDecide) {
  const titleId = `request-title-${r.id}`;
  const card = el('article', { class: 'card request', id: `request-${r.id}`, 'data-request': r.id, 'aria-labelledby': titleId },
    el('h3', { id: titleId, text: `${fmt.words(r.kind)} of ${r.service}: ${r.from} → ${r.to}` }),
    el('p', { class: 'reason', text: r.reason }),
    el('p', { class: 'muted' }, `${r.id}, requested by ${r.requested_by} at `, timeEl(r.created_at, fmt.time(r.created_at))),
    el('p', { 'data-field': 'approvals' }));
  const controls = decisionControls(r.id, `${r.id}, ${fmt.words(r.kind)} of ${r.service} to ${r.to}`, r.requested_by, me, verb => onDecide(verb, card));
  if (controls) card.append(controls);
  return card;
}

// Approve (approvers, not the requester) and reject (approvers) or withdraw (the requester), with an optional comment:
// the same controls for service requests and site operations. Null for whoever may do neither.
function decisionControls(id, what, requestedBy, me, onDecide) {
  const ownRequest = me.name === requestedBy;
  const mayApprove = roleRank(me.role) >= roleRank('approver');
  if (!mayApprove && !ownRequest) return null;
  const commentId = `comment-${id}`;
  const buttons = [];
  if (mayApprove && !ownRequest) {
    buttons.push(el('button', { type: 'button', class: 'approve', 'aria-label': `Approve ${what}`, onclick: () => onDecide('approve') }, 'Approve'));
  }
  buttons.push(el('button', { type: 'button', class: 'reject', 'aria-label': `${ownRequest ? 'Withdraw' : 'Reject'} ${what}`, onclick: () => onDecide('reject') },
    ownRequest ? 'Withdraw' : 'Reject'));
  return el('div', { class: 'decision' },
    el('label', { for: commentId, text: 'Comment (optional, journaled)' }),
    el('input', { id: commentId, type: 'text', maxlength: 500, autocomplete: 'off' }),
    el('div', { class: 'actions' }, buttons),
    el('p', { class: 'error', role: 'alert' }));
}

function approvalsText(x) {
  const approved = x.approved_by.length ? ` (${x.approved_by.join(', ')})` : '';
  return `${fmt.words(x.state)}: approvals ${x.approved_by.length}/${x.approvals_needed}${approved}`;
}

function updateRequestCard(card, r) {
  card.querySelector('[data-field=approvals]').replaceChildren(
    `${approvalsText(r)}; expires at `,
    timeEl(r.expires_at, fmt.time(r.expires_at)));
}

function eventItem(e) {
  const where = [e.service, e.member].filter(Boolean).join('/');
  const reason = e.details && e.details.reason;
  return el('li', { 'data-event': e.id },
    timeEl(e.time, fmt.time(e.time)), ' ',
    el('span', { class: `type type-${e.type.split('.')[0].replace(/[^a-z_]/g, '')}`, text: e.type }), ' ',
    el('span', { class: 'muted', text: `${where}, epoch ${e.epoch}, by ${e.actor}` }),
    reason ? el('span', { class: 'reason', text: String(reason) }) : null);
}

function drillsTable(page, onOpen, onDownload) {
  if (page.drills.length === 0) return el('p', { class: 'muted', text: 'No drill reports under controller.drills_dir yet.' });
  const rows = page.drills.map(d => el('tr', { 'data-drill': d.folder },
    el('td', {}, d.started_at ? timeEl(d.started_at, fmt.dateTime(d.started_at)) : '—'),
    el('th', { scope: 'row', title: d.folder }, d.name || d.folder, d.problem ? el('small', { class: 'problem', text: d.problem }) : null),
    el('td', { 'data-field': 'verdict' }, badge(d.verdict)),
    el('td', { text: fmt.ms(d.rto_ms) }),
    el('td', {}, el('div', { class: 'files' }, d.files.map(file => file === 'report.html'
      ? el('button', { type: 'button', 'aria-label': `Open the report of ${d.folder}`, onclick: () => onOpen(d) }, 'Open report')
      : el('button', { type: 'button', class: 'quiet', 'aria-label': `Download ${file} of ${d.folder}`, onclick: () => onDownload(d, file) }, file))))));
  const caption = page.total > page.drills.length ? `The newest ${page.drills.length} of ${page.total} reports`
    : page.total === 1 ? '1 report' : `${page.total} reports`;
  return table(caption, ['Started', 'Drill', 'Verdict', 'RTO', 'Files'], rows);
}

// The drills the controller runs by itself (controller config drills:), soonest first.
function scheduleTable(runs) {
  if (runs.length === 0) return [el('p', { class: 'muted', text: 'No drill is scheduled (drills: in the controller\'s config).' })];
  const rows = [...runs].sort((a, b) => (a.starts_at || a.next_run).localeCompare(b.starts_at || b.next_run)).map(r => el('tr', { 'data-schedule': r.file },
    el('td', {}, timeEl(r.starts_at || r.next_run, fmt.dateTime(r.starts_at || r.next_run))),
    el('th', { scope: 'row', title: r.file }, r.name),
    el('td', { text: r.service }),
    el('td', { text: `${r.cron} (${r.timezone})` }),
    el('td', { text: r.environment })));
  return [table(runs.length === 1 ? '1 scheduled drill' : `${runs.length} scheduled drills`, ['Next run', 'Drill', 'Service', 'Schedule', 'Environment'], rows)];
}

// The chart is the controller's own SVG (the drill report's chart code), shown as an image: an image runs no
// script and reads nothing from the page, and the page's policy allows data: images only.
function trendFigure(t) {
  const last = t.runs[t.runs.length - 1];
  const regressions = t.runs.filter(r => r.regressed).length;
  const caption = `${t.runs.length} run${t.runs.length === 1 ? '' : 's'}; last ${fmt.dateTime(last.time)}: ${last.verdict}, `
    + `recovery ${fmt.ms(last.recovery_time_ms)}${t.recovery_target_ms != null ? ` (target ${fmt.ms(t.recovery_target_ms)})` : ''}`
    + (regressions ? `; ${regressions} regression${regressions === 1 ? '' : 's'}` : '');
  return el('figure', { class: 'trend', 'data-trend': `${t.service}/${t.name}` },
    el('h3', { text: t.service ? `${t.service}: ${t.name}` : t.name }),
    el('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(t.svg)}`, alt: `RTO and recovery time of drill ${t.name} over its last ${t.runs.length} runs` }),
    el('figcaption', { class: 'muted', text: caption }));
}

function trendFigures(page) {
  if (page.trends.length === 0) return [el('p', { class: 'muted', text: 'No drill has reported to this controller yet (drills with controller: in their file do).' })];
  return page.trends.map(trendFigure);
}

const ROLES = ['viewer', 'operator', 'approver', 'admin'];

function roleRank(role) {
  return ROLES.indexOf(role);
}

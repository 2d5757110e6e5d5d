// The Sites panel, shown only when the configuration declares sites: each site's services and where their primaries
// are, its failover for operators (the plan first, as a dry run, then the request), and its operations with their
// per-service steps and the approve/reject controls of requests.

function showSites(sites, services) {
  $('sites-section').hidden = sites.length === 0;
  const byName = new Map(services.map(s => [s.name, s]));
  showKeyed($('sites'), 'site', sites, site => site.name, site => siteCard(site, state.me), (card, site) => updateSiteCard(card, site, byName));
}

function siteCard(site, me) {
  const titleId = `site-title-${site.name}`;
  const card = el('article', { class: 'card site', 'data-site': site.name, 'aria-labelledby': titleId },
    el('h3', { id: titleId, text: `Site ${site.name}` }),
    el('div', { 'data-field': 'services' }));
  if (roleRank(me.role) >= roleRank('operator')) card.append(siteFailoverForm(site));
  card.append(el('div', { class: 'operations', 'data-field': 'operations' }));
  return card;
}

function updateSiteCard(card, site, services) {
  const rows = site.services.map(name => primaryOf(name, services.get(name)));
  const part = card.querySelector('[data-field=services]');
  const json = JSON.stringify(rows);
  if (part.dataset.shown !== json) {
    part.dataset.shown = json;
    part.replaceChildren(table(`Services of ${site.name}, in failover order`, ['Service', 'Primary', 'Primary in site', 'Routable'],
      rows.map(r => el('tr', { 'data-service': r.service },
        el('th', { scope: 'row', text: r.service }),
        el('td', { 'data-field': 'primary', text: r.primary }),
        el('td', { 'data-field': 'primary-site', text: r.site }),
        el('td', { 'data-field': 'routable', text: r.routable })))));
  }
  showKeyed(card.querySelector('[data-field=operations]'), 'operation', site.operations, op => op.id,
    op => operationCard(op, state.me), updateOperationCard);
}

function primaryOf(name, s) {
  if (!s) return { service: name, primary: '—', site: '—', routable: '—' };
  const primary = s.members.find(m => m.name === s.primary);
  return { service: name, primary: s.primary, site: (primary && primary.site) || '—', routable: s.routable ?? 'none' };
}

// "Fail over site…" opens a reason field; the plan (a dry run) comes first, and only then the button that asks for it.
function siteFailoverForm(site) {
  const reasonId = `site-reason-${site.name}`;
  const f = {
    reason: el('input', { id: reasonId, type: 'text', maxlength: 500, autocomplete: 'off', required: true }),
    plan: el('div', { class: 'plan', 'data-field': 'plan' }),
    error: el('p', { class: 'error', role: 'alert' }),
    submit: el('button', { type: 'button', hidden: true, onclick: () => siteFailover(site, f, false) }, `Fail over ${site.name}`),
    close() {
      f.reason.value = '';
      f.plan.replaceChildren();
      f.error.textContent = '';
      f.submit.hidden = true;
      f.form.hidden = true;
      f.open.hidden = false;
    },
  };
  f.form = el('div', { class: 'site-failover', hidden: true },
    el('label', { for: reasonId, text: 'Reason (required, journaled)' }), f.reason,
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'quiet', onclick: () => siteFailover(site, f, true) }, 'Show plan'),
      f.submit,
      el('button', { type: 'button', class: 'quiet', onclick: f.close }, 'Cancel')),
    f.plan, f.error);
  f.open = el('button', { type: 'button', 'aria-label': `Fail over site ${site.name}…`, onclick: () => { f.open.hidden = true; f.form.hidden = false; f.reason.focus(); } },
    'Fail over site…');
  // A changed reason needs a fresh plan before it can be asked for.
  f.reason.addEventListener('input', () => { f.submit.hidden = true; f.plan.replaceChildren(); });
  return el('div', {}, f.open, f.form);
}

async function siteFailover(site, f, dryRun) {
  const buttons = f.form.querySelectorAll('button');
  buttons.forEach(b => { b.disabled = true; });
  try {
    const response = await api(`/api/sites/${encodeURIComponent(site.name)}/failover`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: f.reason.value.trim(), dry_run: dryRun }),
    });
    const answer = await response.json();
    f.error.textContent = '';
    if (dryRun) {
      f.plan.replaceChildren(planView(answer));
      f.submit.hidden = false;
    } else {
      f.close();
      poll();
    }
  } catch (e) {
    if (e.status === 401) return showSignIn('The controller no longer accepts this token.');
    f.error.textContent = `${dryRun ? 'Planning' : 'Asking for'} the failover of ${site.name} failed: ${e.message}`;
  } finally {
    buttons.forEach(b => { b.disabled = false; });
  }
}

function planView(p) {
  const approvals = p.approvals_needed === 0 ? 'needs no approval: it starts at once' : `needs ${p.approvals_needed} approval(s) from people other than you`;
  return el('div', {},
    el('p', { text: `Plan (dry run, nothing changed): the failover of ${p.site} ${approvals}.` }),
    el('ol', {}, p.steps.map(s => el('li', { 'data-service': s.service, text: `${s.service}: ${moveText(s)}, ${fmt.words(s.status)}: ${s.detail}` }))));
}

function moveText(s) {
  return s.kind && s.to ? `${s.kind} ${s.from} → ${s.to}` : `stays on ${s.from}`;
}

function operationCard(op, me) {
  const titleId = `operation-title-${op.id}`;
  const card = el('article', { class: 'operation', id: `operation-${op.id}`, 'data-operation': op.id, 'aria-labelledby': titleId },
    el('h4', { id: titleId }, `Failover of site ${op.site} `, el('span', { 'data-field': 'state' })),
    el('p', { class: 'reason', text: op.reason }),
    el('p', { class: 'muted' }, `${op.id}, requested by ${op.requested_by} at `, timeEl(op.created_at, fmt.time(op.created_at))),
    el('p', { 'data-field': 'approvals' }),
    el('p', { class: 'detail', 'data-field': 'detail' }),
    el('div', { 'data-field': 'steps' }));
  if (op.state === 'awaiting_approval') {
    const controls = decisionControls(op.id, `${op.id}, failover of site ${op.site}`, op.requested_by, me,
      verb => decide(`/api/sites/operations/${encodeURIComponent(op.id)}`, verb, card));
    if (controls) card.append(controls);
  }
  return card;
}

function updateOperationCard(card, op) {
  card.querySelector('[data-field=state]').replaceChildren(badge(op.state));
  card.querySelector('[data-field=approvals]').textContent = approvalsText(op);
  card.querySelector('[data-field=detail]').textContent = op.detail;
  const steps = card.querySelector('[data-field=steps]');
  const json = JSON.stringify(op.steps);
  if (steps.dataset.shown !== json) {
    steps.dataset.shown = json;
    steps.replaceChildren(table(`Steps of ${op.id}`, ['Service', 'Move', 'Status', 'Detail'], op.steps.map(s => el('tr', { 'data-service': s.service },
      el('th', { scope: 'row', text: s.service }),
      el('td', { text: moveText(s) }),
      el('td', { 'data-field': 'status' }, badge(s.status)),
      el('td', { class: 'detail', text: s.detail })))));
  }
  if (op.state !== 'awaiting_approval') card.querySelector('.decision')?.remove();
}

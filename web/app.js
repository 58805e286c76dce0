// The web view: plain JavaScript against the same API hosts use, with the caller's token.
// Times are shown in Europe/Amsterdam, where the legal terms are counted. Countdowns run on the
// server's clock (its offset is measured at sign-in), so a simulated clock shows true countdowns.
// The page speaks the browser's language: Dutch when the browser prefers it to English, English
// otherwise; the words come from the server's catalog (po/nl.po, docs/translating.md).
'use strict';

const state = { token: '', offset: 0, cases: [], selected: null, admin: false };
const zone = 'Europe/Amsterdam';
const language = (navigator.languages || [navigator.language]).map((l) => l.toLowerCase().slice(0, 2))
  .find((l) => l === 'nl' || l === 'en') || 'en';
let messages = {};
const fmtTime = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
  timeZone: zone, weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit',
});

// `english` in the page's language, each {} replaced by the next argument (as tr() in the engine).
function t(english, ...args) {
  const text = messages[english] || english;
  return text.replace(/\{\}/g, () => (args.length ? String(args.shift()) : '{}'));
}

function $(id) { return document.getElementById(id); }
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
function serverNow() { return Date.now() + state.offset; }
function local(iso) { return iso ? fmtTime.format(new Date(iso)) : ''; }

// "3 d 04:05:06" until `iso`, or "-..." once passed.
function countdown(iso) {
  let ms = new Date(iso).getTime() - serverNow();
  const late = ms < 0;
  ms = Math.abs(ms);
  const d = Math.floor(ms / 86400000);
  const h = Math.floor(ms / 3600000) % 24, m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
  const pad = (n) => String(n).padStart(2, '0');
  return `${late ? t('overdue') + ' ' : ''}${d > 0 ? d + ' d ' : ''}${pad(h)}:${pad(m)}:${pad(s)}`;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Authorization: `Bearer ${state.token}`, 'Content-Type': 'application/json', ...(options.headers || {}) },
  });
  const text = await response.text();
  // Answers are application/json; refusals application/problem+json (RFC 9457), with the reason in `detail`.
  const type = response.headers.get('Content-Type') || '';
  const body = /^application\/(problem\+)?json/.test(type) && text ? JSON.parse(text) : text;
  if (!response.ok) throw new Error(body?.detail || `${response.status}`);
  return body;
}

async function signIn(token) {
  state.token = token;
  try {
    const me = await api('/api/v1/whoami');
    state.offset = new Date(me.now).getTime() - Date.now();
    sessionStorage.setItem('termijn-token', token);
    $('who').textContent = `${me.role} · ${me.organisation}`;
    state.admin = me.role === 'beheer';
    $('incidents').hidden = !state.admin;
    $('login').hidden = true;
    $('app').hidden = false;
    await Promise.all([loadCases(), loadProcesses(), loadIncidents()]);
    const wanted = new URLSearchParams(location.hash.slice(1)).get('case');
    if (wanted) await showCase(Number(wanted));
  } catch (e) {
    sessionStorage.removeItem('termijn-token');
    $('login').hidden = false;
    $('login-error').hidden = false;
    $('login-error').textContent = t('Sign-in failed: {}', e.message);
  }
}

async function loadCases() {
  const overdue = $('only-overdue').checked ? '&overdue=true' : '';
  state.cases = await api(`/api/v1/cases?status=running${overdue}`);
  const body = $('cases').querySelector('tbody');
  body.replaceChildren(...state.cases.map((c) => {
    const next = c.next_deadline;
    return el('tr', { class: c.overdue ? 'overdue' : '', 'data-case': c.id, onclick: () => showCase(c.id) },
      el('td', {}, `#${c.id}`),
      el('td', {}, c.process),
      el('td', {}, c.status),
      el('td', {}, el('span', { class: `level level-${Math.min(c.level, 3)}` }, c.level)),
      el('td', {}, next ? `${next.what} · ${local(next.due)}` : '—'),
      el('td', { class: 'countdown', 'data-due': next ? next.due : '' }, next ? countdown(next.due) : ''));
  }));
  $('no-cases').hidden = state.cases.length > 0;
}

// Timers that could not fire (beheer only): retry once the cause is fixed, or dismiss with a reason.
async function loadIncidents() {
  if (!state.admin) return;
  const incidents = await api('/api/v1/incidents');
  $('incident-list').querySelector('tbody').replaceChildren(...incidents.map((i) => {
    const reason = el('input', { name: 'reason', placeholder: t('reason'), required: '', size: '24' });
    return el('tr', { 'data-incident': i.id },
      el('td', {}, `#${i.id}`),
      el('td', {}, el('a', { href: `#case=${i.case}`, onclick: () => showCase(i.case) }, `#${i.case}`), ` ${i.process}`),
      el('td', {}, `${i.timer} (${i.kind})`),
      el('td', {}, local(i.due)),
      el('td', { class: 'fout' }, i.error),
      el('td', {}, i.told),
      el('td', {},
        el('button', { type: 'button', class: 'retry', onclick: () => decide(i.id, 'retry', {}) }, t('Retry')),
        el('form', { class: 'dismiss', onsubmit: (e) => { e.preventDefault(); decide(i.id, 'dismiss', { reason: reason.value }); } },
          reason, el('button', { type: 'submit' }, t('Dismiss')))));
  }));
  $('no-incidents').hidden = incidents.length > 0;
}

async function decide(id, action, body) {
  const status = $('incident-status');
  try {
    await api(`/api/v1/incidents/${id}/${action}`, { method: 'POST', body: JSON.stringify(body) });
    status.className = 'muted';
    status.textContent = action === 'retry' ? t('Incident #{} retried: the deadline has gone off.', id)
      : t('Incident #{} dismissed.', id);
  } catch (e) {
    status.className = 'error';
    status.textContent = t('Incident #{}: {}', id, e.message);
  }
  await Promise.all([loadIncidents(), loadCases()]);
}

async function showCase(id) {
  state.selected = id;
  const [c, deadlines, timeline] = await Promise.all([
    api(`/api/v1/cases/${id}`), api(`/api/v1/cases/${id}/deadlines`), api(`/api/v1/cases/${id}/timeline`),
  ]);
  $('case').hidden = false;
  $('case-title').textContent = [t('Case #{}', c.id), c.process, t('level {}', c.level), c.status].join(' · ');
  $('case-tasks').replaceChildren(...(c.tasks || []).map((task) =>
    el('li', {}, el('strong', {}, task.title || task.step), ' ', t('for {}, due {}', task.role, local(task.due)), ' ',
      el('span', { class: 'countdown', 'data-due': task.due }, countdown(task.due)))));
  $('case-deadlines').replaceChildren(...deadlines.map((d) =>
    el('li', {}, el('details', {}, el('summary', {}, `${d.title || d.name} (${d.kind}) · ${local(d.due)}`),
      el('pre', {}, (d.why || []).join('\n'))))));
  $('case-timeline').replaceChildren(...timeline.map((e) =>
    el('li', {}, el('time', {}, local(e.at)), ' ', el('strong', {}, e.kind), ' ', describe(e.detail))));
}

function describe(detail) {
  if (!detail || typeof detail !== 'object') return '';
  const keys = ['step', 'event', 'role', 'by', 'message', 'reason', 'timer', 'stage', 'level', 'rung'];
  return keys.filter((k) => detail[k] !== undefined && detail[k] !== '').map((k) => `${k}: ${detail[k]}`).join(' · ');
}

async function loadProcesses() {
  const processes = (await api('/api/v1/processes')).filter((p) => p.latest);
  const select = $('process');
  select.replaceChildren(...processes.map((p) => el('option', { value: p.name }, `${p.name} v${p.version} — ${p.title}`)));
  if (processes.length) await showDiagram(processes.find((p) => p.name === 'landelijk')?.name || processes[0].name);
}

async function showDiagram(name) {
  $('process').value = name;
  try {
    const svg = await api(`/api/v1/processes/${encodeURIComponent(name)}/diagram.svg`);
    $('diagram').innerHTML = svg;  // our own server's Graphviz output
  } catch (e) {
    $('diagram').textContent = t('No drawing: {}', e.message);
  }
}

function tick() {
  $('clock').textContent = fmtTime.format(new Date(serverNow()));
  for (const node of document.querySelectorAll('.countdown[data-due]')) {
    if (!node.dataset.due) continue;
    node.textContent = countdown(node.dataset.due);
    node.classList.toggle('late', new Date(node.dataset.due).getTime() < serverNow());
  }
}

// The static text of the page (each element marked data-t) in the page's language.
async function speak() {
  document.documentElement.lang = language;
  if (language === 'en') return;
  try {
    const response = await fetch(`/api/v1/messages/${language}`);
    if (response.ok) messages = (await response.json()).messages;
  } catch (e) {
    return;  // the page stays in English rather than not at all
  }
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.textContent.trim().replace(/\s+/g, ' '));
}

async function init() {
  await speak();
  $('login-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('token').value.trim()); });
  $('refresh').addEventListener('click', () => { loadCases(); loadIncidents(); if (state.selected) showCase(state.selected); });
  $('only-overdue').addEventListener('change', loadCases);
  $('process').addEventListener('change', (e) => showDiagram(e.target.value));
  $('logout').addEventListener('click', () => { sessionStorage.removeItem('termijn-token'); location.hash = ''; location.reload(); });
  setInterval(tick, 1000);
  setInterval(() => { if (!$('app').hidden) { loadCases(); loadIncidents(); } }, 30000);
  // A token in the fragment (#token=...) never reaches the server's logs; it is moved to the tab's storage.
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token') || sessionStorage.getItem('termijn-token');
  if (params.has('token')) {
    params.delete('token');
    history.replaceState(null, '', `${location.pathname}${params.toString() ? '#' + params : ''}`);
  }
  if (token) signIn(token); else $('login').hidden = false;
}

init();

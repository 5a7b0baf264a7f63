// Loupe's operator page. It uses the public API only, as any client would, and shows every problem
// document (application/problem+json) as a readable message. No library, nothing from another host.
'use strict';

const TEXT = {
  en: {
    'nav.inspect': 'Inspect', 'nav.review': 'Review', 'nav.history': 'History', 'nav.runs': 'Robustness runs',
    'inspect.drop': 'Choose or drop a micrograph', 'inspect.profile': 'Profile', 'inspect.variant': 'Wording',
    'inspect.consensus': 'Consensus K', 'inspect.go': 'Inspect', 'inspect.busy': 'Asking the model…',
    'trace.line': 'Line', 'trace.station': 'Station', 'trace.lot': 'Lot', 'trace.serial': 'Serial',
    'review.reviewer': 'Reviewer', 'review.waiting': 'Waiting', 'review.keys': 'Keys: O = OK, N = NG (the note goes with it)',
    'review.note': 'Note', 'review.empty': 'Nothing waits for review.', 'review.need-name': 'Enter your name as reviewer first.',
    'review.model': 'The model said', 'review.all': 'All profiles', 'auth.key': 'API key', 'auth.ok': 'OK', 'history.status': 'Status', 'history.from': 'From', 'history.to': 'To',
    'history.search': 'Search', 'history.more': 'More', 'history.none': 'No inspection found.',
    'col.time': 'Time', 'col.status': 'Status', 'col.decision': 'Decision', 'col.reviewed': 'Reviewed',
    'col.profile': 'Profile', 'col.progress': 'Progress', 'col.report': 'Report', 'col.run': 'Run',
    'result.features': 'Features', 'result.confidence': 'Confidence', 'result.reason': 'Reason',
    'result.repairs': 'Repairs', 'result.violations': 'Violations', 'result.raw': 'Raw output', 'result.steps': 'Chain steps',
    'result.consensus': 'Wordings and votes', 'result.sent': 'Image as sent', 'result.review': 'Review',
    'result.timings': 'Timings (ms)', 'decision.none': 'needs review', 'runs.none': 'No runs yet.',
  },
  zh: {
    'nav.inspect': '检测', 'nav.review': '复核', 'nav.history': '历史', 'nav.runs': '稳健性评估',
    'inspect.drop': '选择或拖入显微图像', 'inspect.profile': '检测方案', 'inspect.variant': '提示词措辞',
    'inspect.consensus': '多措辞投票 K', 'inspect.go': '开始检测', 'inspect.busy': '正在询问模型…',
    'trace.line': '产线', 'trace.station': '工位', 'trace.lot': '批次', 'trace.serial': '序列号',
    'review.reviewer': '复核人', 'review.waiting': '待复核', 'review.keys': '按键：O = 合格（OK），N = 不合格（NG），备注一并提交',
    'review.note': '备注', 'review.empty': '没有待复核的项目。', 'review.need-name': '请先填写复核人姓名。',
    'review.model': '模型的回答', 'review.all': '全部方案', 'auth.key': 'API 密钥', 'auth.ok': '确定', 'history.status': '状态', 'history.from': '开始日期', 'history.to': '结束日期',
    'history.search': '查询', 'history.more': '更多', 'history.none': '没有找到检测记录。',
    'col.time': '时间', 'col.status': '状态', 'col.decision': '判定', 'col.reviewed': '已复核',
    'col.profile': '方案', 'col.progress': '进度', 'col.report': '报告', 'col.run': '评估',
    'result.features': '特征', 'result.confidence': '置信度', 'result.reason': '理由',
    'result.repairs': '修复', 'result.violations': '违规项', 'result.raw': '模型原始输出', 'result.steps': '调用链',
    'result.consensus': '各措辞投票', 'result.sent': '送入模型的图像', 'result.review': '复核',
    'result.timings': '耗时（毫秒）', 'decision.none': '需人工复核', 'runs.none': '暂无评估。',
  },
};

let lang = localStorage.getItem('loupe.lang') || ((navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en');
const $ = (selector, root = document) => root.querySelector(selector);
const t = key => TEXT[lang][key] || TEXT.en[key] || key;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-t]').forEach(node => { node.textContent = t(node.dataset.t); });
  $('#lang').textContent = lang === 'zh' ? 'English' : '中文';
}

/** fetch, and a readable message from a problem document when the answer is not 2xx. */
// With loupe.auth.mode=keys the API wants a key: asked once, kept for this browser session only.
let asking = null;

function askKey() {
  asking = asking || new Promise(resolve => {
    const dialog = $('#key-dialog');
    $('#key-input').value = '';
    dialog.addEventListener('close', () => {
      const key = $('#key-input').value.trim();
      if (key) sessionStorage.setItem('loupe.key', key);
      asking = null;
      resolve(Boolean(key));
    }, { once: true });
    dialog.showModal();
  });
  return asking;
}

async function api(path, options = {}, retried = false) {
  const key = sessionStorage.getItem('loupe.key');
  const headers = key ? { ...options.headers, Authorization: 'Bearer ' + key } : options.headers;
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401 && !retried) {
    if (key) sessionStorage.removeItem('loupe.key'); // a key that no longer works
    if (await askKey()) return api(path, options, true);
  }
  const type = response.headers.get('content-type') || '';
  if (!response.ok) {
    let message = 'HTTP ' + response.status;
    if (type.includes('json')) {
      const problem = await response.json();
      message = (problem.title || message) + (problem.detail ? ': ' + problem.detail : '');
    }
    throw new Error(message);
  }
  return type.includes('json') ? response.json() : response;
}

// Images and reports come through api() too, so that they carry the key.
function keptImage(id) {
  const img = el('img', { class: 'shot', alt: '' });
  api('/v1/inspections/' + encodeURIComponent(id) + '/image').then(r => r.blob())
    .then(blob => { img.src = URL.createObjectURL(blob); }).catch(showError);
  return img;
}

async function openReport(id) {
  const report = await (await api('/v1/robustness-runs/' + encodeURIComponent(id) + '/report.html')).blob();
  window.open(URL.createObjectURL(report), '_blank');
}

function showError(error) {
  const box = $('#error');
  box.textContent = error ? error.message || String(error) : '';
  box.hidden = !error;
}

// ---- Inspect
async function loadProfiles() {
  const profiles = await api('/v1/profiles');
  const select = $('#profile');
  select.replaceChildren(...profiles.map(p => el('option', { value: p.name }, p.name)));
  // A reviewer works through one profile's queue at a time, or through all of them.
  $('#review-profile').replaceChildren(el('option', { value: '', 'data-t': 'review.all' }, t('review.all')),
    ...profiles.map(p => el('option', { value: p.name }, p.name)));
  $('#review-profile').value = localStorage.getItem('loupe.review-profile') || '';
  await loadVariants();
}

async function loadVariants() {
  const name = $('#profile').value;
  if (!name) return;
  const variants = await api('/v1/profiles/' + encodeURIComponent(name) + '/variants');
  $('#variant').replaceChildren(el('option', { value: '' }, ''), ...variants.map(v => el('option', { value: v.name }, v.name)));
}

function imagePreview(file, envelope) {
  const canvas = el('canvas', { width: envelope.image.sent_width, height: envelope.image.sent_height, class: 'shot' });
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.onload = () => { canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height); URL.revokeObjectURL(url); };
  img.src = url;
  return canvas;
}

function renderEnvelope(envelope, picture, review) {
  const decision = envelope.decision || 'none';
  const verdict = envelope.verdict || {};
  const features = Object.entries(verdict.features || {});
  const list = items => items.length ? el('ul', {}, items.map(i => el('li', {}, i))) : el('p', {}, '—');
  return el('div', { class: 'card', id: 'envelope' },
    el('div', { class: 'verdict' },
      el('div', {},
        el('div', { class: 'decision ' + decision, id: 'decision' }, decision === 'none' ? t('decision.none') : decision),
        el('p', {}, el('span', { class: 'status ' + envelope.status, id: 'status' }, envelope.status), ' ',
          envelope.backend ? envelope.backend + ' / ' + (envelope.model || '') : ''),
        verdict.confidence !== undefined ? el('p', {}, t('result.confidence') + ': ' + verdict.confidence) : null,
        picture ? el('div', {}, el('h4', {}, t('result.sent') + (envelope.image ? ` ${envelope.image.sent_width}×${envelope.image.sent_height}` : '')), picture) : null),
      el('div', {},
        verdict.reason ? el('p', {}, el('b', {}, t('result.reason') + ': '), verdict.reason) : null,
        features.length ? el('table', {}, el('tr', {}, el('th', { colspan: 2 }, t('result.features'))),
          features.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v)))) : null,
        el('h4', {}, t('result.repairs')), list(envelope.repairs || []),
        el('h4', {}, t('result.violations')), list((envelope.violations || []).map(v => `${v.path || '/'} ${v.keyword}: ${v.message}`)),
        envelope.steps ? el('div', {}, el('h4', {}, t('result.steps')), el('table', { id: 'steps' },
          el('tr', {}, ['backend', 'model', 'result', 'finish', 'ms'].map(h => el('th', {}, h))),
          envelope.steps.map(s => el('tr', {}, el('td', {}, s.backend), el('td', {}, s.model), el('td', {}, s.result),
            el('td', {}, s.finish_reason || ''), el('td', {}, s.ms))))) : null,
        envelope.timings_ms ? el('p', {}, t('result.timings') + ': ' + Object.entries(envelope.timings_ms).map(([k, v]) => `${k} ${v}`).join(', ')) : null,
        envelope.consensus ? el('div', {}, el('h4', {}, t('result.consensus') + ` (${envelope.consensus.agreement})`),
          el('table', { id: 'votes' }, envelope.consensus.results.map(r =>
            el('tr', {}, el('td', {}, r.variant), el('td', {}, r.decision || '—'), el('td', {}, r.result))))) : null,
        review ? el('div', { id: 'review' }, el('h4', {}, t('result.review')),
          el('p', {}, `${review.reviewer}: ${review.decision} ${review.note ? '— ' + review.note : ''}`)) : null,
        envelope.failure ? el('p', { class: 'error' }, envelope.failure) : null,
        envelope.raw_output !== undefined ? el('div', {}, el('h4', {}, t('result.raw')), el('pre', { id: 'raw' }, envelope.raw_output)) : null)));
}

async function inspect(event) {
  event.preventDefault();
  showError(null);
  const form = new FormData($('#inspect-form'));
  for (const key of ['variant', 'consensus', 'line', 'station', 'lot', 'serial']) {
    if (!form.get(key)) form.delete(key);
  }
  const file = $('#image').files[0];
  const button = $('#inspect-button');
  button.disabled = true;
  $('#result').replaceChildren(el('p', {}, t('inspect.busy')));
  try {
    const envelope = await api('/v1/inspections', { method: 'POST', body: form });
    $('#result').replaceChildren(renderEnvelope(envelope, imagePreview(file, envelope)));
  } catch (error) {
    $('#result').replaceChildren();
    showError(error);
  } finally {
    button.disabled = false;
  }
}

// ---- Review
let current = null;
let queueLoads = 0;

async function loadQueue() {
  // Only the latest load renders: a profile change can overtake a load still in flight.
  const load = ++queueLoads;
  const profile = $('#review-profile').value;
  const queue = await api('/v1/reviews/queue?limit=1' + (profile ? '&profile=' + encodeURIComponent(profile) : ''));
  if (load !== queueLoads) return;
  $('#queue-length').textContent = queue.length;
  const next = queue.items[0] || null;
  if (!next) {
    current = null;
    $('#review-item').replaceChildren(el('p', { id: 'review-empty' }, t('review.empty')));
    return;
  }
  const shown = $('#review-card');
  if (shown && shown.dataset.id === next.id) return; // the same item stays, with the note being typed
  const envelope = await api('/v1/inspections/' + next.id);
  if (load !== queueLoads) return;
  current = next;
  $('#review-item').replaceChildren(el('div', { class: 'card', id: 'review-card', 'data-id': next.id },
    keptImage(next.id),
    el('label', {}, t('review.note'), el('input', { id: 'note', maxlength: 2000 })),
    el('h4', {}, t('review.model')), renderEnvelope(envelope)));
}

async function decide(decision) {
  if (!current) return;
  const reviewer = $('#reviewer').value.trim();
  if (!reviewer) { showError(new Error(t('review.need-name'))); return; }
  localStorage.setItem('loupe.reviewer', reviewer);
  showError(null);
  const note = $('#note') ? $('#note').value : '';
  try {
    await api('/v1/inspections/' + current.id + '/review', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ decision, defect_present: decision === 'NG', reviewer, note: note || undefined }) });
    await loadQueue();
  } catch (error) {
    showError(error);
  }
}

// One key each: O for OK, N for NG. While typing the reviewer's name or a note, Alt+O / Alt+N.
document.addEventListener('keydown', event => {
  if (location.hash !== '#review' || event.ctrlKey || event.metaKey) return;
  const key = event.key.toLowerCase();
  if (key !== 'o' && key !== 'n') return;
  const typing = event.target.id === 'reviewer' || event.target.id === 'note';
  if (typing && !event.altKey) return;
  event.preventDefault();
  decide(key === 'o' ? 'OK' : 'NG');
});

// ---- History
let nextCursor = null;

async function search(event, more) {
  if (event) event.preventDefault();
  showError(null);
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($('#history-form'))) {
    if (!v) continue;
    if (k === 'from' || k === 'to') params.set(k, new Date(v + 'T00:00:00').toISOString());
    else params.set(k, v);
  }
  if (more && nextCursor) params.set('cursor', nextCursor);
  try {
    const page = await api('/v1/inspections?' + params);
    nextCursor = page.next_cursor;
    const table = $('#history-table');
    if (!more) table.replaceChildren(el('tr', {}, ['col.time', 'trace.line', 'trace.lot', 'trace.serial', 'col.status',
      'col.decision', 'col.reviewed'].map(k => el('th', {}, t(k)))));
    page.items.forEach(r => table.append(el('tr', { class: 'link', 'data-id': r.id, onclick: () => { location.hash = 'inspection/' + r.id; } },
      el('td', {}, new Date(r.created_at).toLocaleString()), el('td', {}, r.line || ''), el('td', {}, r.lot || ''),
      el('td', {}, r.serial || ''), el('td', {}, r.status), el('td', {}, r.decision || '—'), el('td', {}, r.reviewed ? '✓' : ''))));
    if (!more && page.items.length === 0) table.append(el('tr', {}, el('td', { colspan: 7 }, t('history.none'))));
    $('#history-more').hidden = !nextCursor;
  } catch (error) {
    showError(error);
  }
}

async function showInspection(id) {
  const envelope = await api('/v1/inspections/' + encodeURIComponent(id));
  const picture = envelope.record && envelope.record.image_available
    ? keptImage(id) : null;
  $('#inspection').replaceChildren(renderEnvelope(envelope, picture, envelope.review));
}

// ---- Runs
async function loadRuns() {
  const runs = await api('/v1/robustness-runs');
  const table = $('#runs-table');
  table.replaceChildren(el('tr', {}, ['col.run', 'col.profile', 'col.status', 'col.progress', 'col.report'].map(k => el('th', {}, t(k)))));
  if (runs.length === 0) table.append(el('tr', {}, el('td', { colspan: 5 }, t('runs.none'))));
  runs.forEach(r => table.append(el('tr', {}, el('td', {}, r.id.slice(0, 8)), el('td', {}, r.profile), el('td', {}, r.status),
    el('td', {}, el('div', { class: 'progress', title: `${r.done}/${r.total}` }, el('span', { style: `width:${r.total ? 100 * r.done / r.total : 0}%` })),
      `${r.done}/${r.total}`),
    el('td', {}, el('a', { href: '#runs', class: 'report', onclick: e => { e.preventDefault(); openReport(r.id).catch(showError); } }, 'report.html')))));
}

// ---- Views
async function route() {
  showError(null);
  const hash = location.hash.slice(1) || 'inspect';
  const view = hash.startsWith('inspection/') ? 'inspection' : hash;
  document.querySelectorAll('.view').forEach(section => { section.hidden = section.id !== 'view-' + view; });
  document.querySelectorAll('nav a').forEach(a => a.classList.toggle('active', a.dataset.view === view));
  try {
    if (view === 'review') await loadQueue();
    if (view === 'runs') await loadRuns();
    if (view === 'inspection') await showInspection(hash.slice('inspection/'.length));
  } catch (error) {
    showError(error);
  }
}

function wireDrop() {
  const drop = $('#drop');
  drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', e => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files.length) $('#image').files = e.dataTransfer.files;
  });
}

$('#lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('loupe.lang', lang);
  applyLanguage();
  $('#review-item').replaceChildren(); // re-rendered in the new language
  route();
});
$('#inspect-form').addEventListener('submit', inspect);
$('#profile').addEventListener('change', () => loadVariants().catch(showError));
$('#review-profile').addEventListener('change', () => {
  localStorage.setItem('loupe.review-profile', $('#review-profile').value);
  loadQueue().catch(showError);
});
$('#history-form').addEventListener('submit', e => search(e, false));
$('#history-more').addEventListener('click', () => search(null, true));
$('#reviewer').value = localStorage.getItem('loupe.reviewer') || '';
window.addEventListener('hashchange', route);
wireDrop();
applyLanguage();
// The profiles come first: the review queue is filtered by the chosen one.
loadProfiles().catch(showError).then(route);

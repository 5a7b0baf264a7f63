// Loupe's operator page. It uses the public API only, as any client would, and shows every problem
// document (application/problem+json) as a readable message. No library, nothing from another host.
'use strict';

const TEXT = {
  en: {
    'nav.inspect': 'Inspect', 'nav.review': 'Review', 'nav.history': 'History', 'nav.runs': 'Robustness runs',
    'inspect.drop': 'Choose or drop a micrograph', 'inspect.profile': 'Profile', 'inspect.variant': 'Wording',
    'inspect.consensus': 'Consensus K', 'inspect.go': 'Inspect', 'inspect.busy': 'Asking the model…',
    'trace.line': 'Line', 'trace.station': 'Station', 'trace.lot': 'Lot', 'trace.serial': 'Serial',
    'review.reviewer': 'Reviewer', 'review.waiting': 'Waiting', 'review.keys': 'Choose the decision with its button, or a key: O = OK, N = NG (Alt+O, Alt+N while typing). The reason and features go with it as shown.',
    'review.note': 'Note', 'review.empty': 'Nothing waits for review.', 'review.need-name': 'Enter your name as reviewer first.',
    'review.model': 'The model said', 'review.all': 'All profiles', 'review.reason': 'Reason (the training target\'s words)',
    'review.features': 'Features', 'review.decide': 'Decide', 'review.why': 'In the queue because',
    'review.history': 'Reviews', 'review.amend': 'Amend the review', 'review.none': 'Not reviewed yet.',
    'review.prefilled': 'Pre-filled from the model\'s answer: agreeing is one click.', 'review.empty-fields': 'The model gave no verdict: write the reason.', 'auth.key': 'API key', 'auth.ok': 'OK', 'history.status': 'Status', 'history.from': 'From', 'history.to': 'To',
    'history.search': 'Search', 'history.more': 'More', 'history.none': 'No inspection found.',
    'col.time': 'Time', 'col.status': 'Status', 'col.decision': 'Decision', 'col.reviewed': 'Reviewed',
    'col.profile': 'Profile', 'col.progress': 'Progress', 'col.report': 'Report', 'col.run': 'Run',
    'result.features': 'Features', 'result.reason': 'Reason',
    'result.repairs': 'Repairs', 'result.violations': 'Violations', 'result.raw': 'Raw output', 'result.steps': 'Chain steps',
    'result.consensus': 'Wordings and votes', 'result.sent': 'Image as sent to the model', 'result.review': 'Review',
    'result.trace': 'Part', 'result.score': 'Probability of the decision', 'result.policy': 'Auto-acceptance threshold', 'result.sent-missing': 'The image sent to the model is not kept.',
    'result.timings': 'Timings (ms)', 'decision.none': 'needs review', 'runs.none': 'No runs yet.',
    'nav.adapters': 'Adapters', 'adapters.served': 'Served by each backend', 'adapters.backend': 'Backend',
    'adapters.models': 'Models served now', 'adapters.in-use': 'Used by profiles', 'adapters.load': 'Load an adapter',
    'adapters.name': 'Name', 'adapters.path': 'Folder on the model server', 'adapters.go': 'Load',
    'adapters.requested': 'Loads and unloads asked', 'adapters.comparison': 'Last comparison',
    'adapters.no-comparison': 'No comparison run yet: run one with "models": [serving, challenger].',
    'adapters.promotions': 'Models in service and promotions', 'adapters.step': 'Step', 'adapters.declared': 'Profile names',
    'adapters.serving': 'Serves', 'adapters.when': 'When', 'adapters.who': 'Who', 'adapters.why': 'Why', 'adapters.run': 'Run',
    'adapters.loaded': 'Loaded',
  },
  zh: {
    'nav.inspect': '检测', 'nav.review': '复核', 'nav.history': '历史', 'nav.runs': '稳健性评估',
    'inspect.drop': '选择或拖入显微图像', 'inspect.profile': '检测方案', 'inspect.variant': '提示词措辞',
    'inspect.consensus': '多措辞投票 K', 'inspect.go': '开始检测', 'inspect.busy': '正在询问模型…',
    'trace.line': '产线', 'trace.station': '工位', 'trace.lot': '批次', 'trace.serial': '序列号',
    'review.reviewer': '复核人', 'review.waiting': '待复核', 'review.keys': '点击判定按钮，或按键：O = 合格（OK），N = 不合格（NG）（输入时用 Alt+O、Alt+N）。理由和特征按所显示内容一并提交。',
    'review.note': '备注', 'review.empty': '没有待复核的项目。', 'review.need-name': '请先填写复核人姓名。',
    'review.model': '模型的回答', 'review.all': '全部方案', 'review.reason': '理由（训练目标的文字）',
    'review.features': '特征', 'review.decide': '判定', 'review.why': '进入复核队列的原因',
    'review.history': '复核记录', 'review.amend': '修改复核', 'review.none': '尚未复核。',
    'review.prefilled': '已按模型的回答预填：同意只需点击一次。', 'review.empty-fields': '模型没有给出判定：请填写理由。', 'auth.key': 'API 密钥', 'auth.ok': '确定', 'history.status': '状态', 'history.from': '开始日期', 'history.to': '结束日期',
    'history.search': '查询', 'history.more': '更多', 'history.none': '没有找到检测记录。',
    'col.time': '时间', 'col.status': '状态', 'col.decision': '判定', 'col.reviewed': '已复核',
    'col.profile': '方案', 'col.progress': '进度', 'col.report': '报告', 'col.run': '评估',
    'result.features': '特征', 'result.reason': '理由',
    'result.repairs': '修复', 'result.violations': '违规项', 'result.raw': '模型原始输出', 'result.steps': '调用链',
    'result.consensus': '各措辞投票', 'result.sent': '送入模型的图像', 'result.review': '复核',
    'result.trace': '零件', 'result.score': '判定概率', 'result.policy': '自动接受阈值', 'result.sent-missing': '送入模型的图像未保存。',
    'result.timings': '耗时（毫秒）', 'decision.none': '需人工复核', 'runs.none': '暂无评估。',
    'nav.adapters': '适配器', 'adapters.served': '各后端在用的模型', 'adapters.backend': '后端',
    'adapters.models': '当前提供的模型', 'adapters.in-use': '被检测方案使用', 'adapters.load': '加载适配器',
    'adapters.name': '名称', 'adapters.path': '模型服务器上的目录', 'adapters.go': '加载',
    'adapters.requested': '加载与卸载记录', 'adapters.comparison': '最近一次模型对比',
    'adapters.no-comparison': '尚无模型对比：以 "models": [在用, 候选] 发起一次评估。',
    'adapters.promotions': '在用模型与上线记录', 'adapters.step': '步骤', 'adapters.declared': '方案中的模型',
    'adapters.serving': '在用', 'adapters.when': '时间', 'adapters.who': '操作人', 'adapters.why': '原因', 'adapters.run': '评估',
    'adapters.loaded': '已加载',
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

// Images and reports come through api() too, so that they carry the key. People look at the image as it
// was sent to the model (oriented, cropped, scaled, 16-bit stretched, resized): every format shows, and it
// is what the model judged and what the next LoRA trains on.
function sentImage(id, info) {
  const img = el('img', { class: 'shot', alt: t('result.sent'), id: 'sent-image' });
  const caption = el('figcaption', {}, t('result.sent') + (info ? ` · ${info.sent_width}×${info.sent_height} · ${info.visual_tokens} tokens` : ''));
  api('/v1/inspections/' + encodeURIComponent(id) + '/image?view=sent').then(r => r.blob())
    .then(blob => { img.src = URL.createObjectURL(blob); })
    .catch(() => caption.replaceChildren(t('result.sent-missing')));
  return el('figure', { class: 'sent' }, img, caption);
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

function traceLine(trace) {
  if (!trace) return null;
  const parts = ['line', 'station', 'lot', 'serial'].filter(k => trace[k]).map(k => `${t('trace.' + k)} ${trace[k]}`);
  return parts.length ? el('p', { class: 'trace', id: 'trace' }, t('result.trace') + ': ' + parts.join(' · ')) : null;
}

function renderEnvelope(envelope, picture, review) {
  const decision = envelope.decision || 'none';
  const verdict = envelope.verdict || {};
  const features = Object.entries(verdict.features || {});
  const list = items => items.length ? el('ul', {}, items.map(i => el('li', {}, i))) : el('p', {}, '—');
  return el('div', { class: 'card', id: 'envelope', 'data-id': envelope.id },
    el('div', { class: 'verdict' },
      el('div', {},
        el('div', { class: 'decision ' + decision, id: 'decision' }, decision === 'none' ? t('decision.none') : decision),
        el('p', {}, el('span', { class: 'status ' + envelope.status, id: 'status' }, envelope.status), ' ',
          envelope.backend ? envelope.backend + ' / ' + (envelope.model || '') : ''),
        envelope.score !== undefined && envelope.score !== null
          ? el('p', { id: 'score' }, t('result.score') + ': ' + envelope.score.toFixed(3) + ' (' + envelope.score_source + ')') : null,
        envelope.policy ? el('p', { class: 'hint' }, t('result.policy') + ': ' + (envelope.policy.threshold === null ? '—'
          : envelope.policy.threshold.toFixed(3)) + ', α ' + envelope.policy.alpha) : null,
        traceLine(envelope.trace || envelope.record),
        picture),
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
  const button = $('#inspect-button');
  button.disabled = true;
  $('#result').replaceChildren(el('p', {}, t('inspect.busy')));
  try {
    const envelope = await api('/v1/inspections', { method: 'POST', body: form });
    $('#result').replaceChildren(renderEnvelope(envelope, sentImage(envelope.id, envelope.image)));
  } catch (error) {
    $('#result').replaceChildren();
    showError(error);
  } finally {
    button.disabled = false;
  }
}

// ---- Review
// A reviewer sees what the model saw, the part, and what the model said; chooses the decision with a
// button (or a key) and sends the reason and features as shown: pre-filled from the model's answer, so
// agreeing is one click, and edited where the model was wrong. Loupe writes none of these words itself.
let current = null;
let queueLoads = 0;
const profileDetails = {};

async function profileDetail(name) {
  if (!profileDetails[name]) profileDetails[name] = await api('/v1/profiles/' + encodeURIComponent(name));
  return profileDetails[name];
}

/** What the schema's if/then rules fix once a decision is chosen (verdict-v1: NG means defect_present true). */
function consequences(schema, field, value) {
  const fixed = {};
  for (const rule of schema.allOf || []) {
    const when = rule.if && rule.if.properties && rule.if.properties[field];
    if (when && when.const === value && rule.then && rule.then.properties) {
      for (const [k, v] of Object.entries(rule.then.properties)) if ('const' in v) fixed[k] = v.const;
    }
  }
  return fixed;
}

/** The object a model's answer holds, when it is plain JSON though not a valid verdict: its words pre-fill the form. */
function modelsObject(raw) {
  try {
    const parsed = JSON.parse(raw || '');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null;
  } catch (notJson) {
    return null;
  }
}

/**
 * The review form of one inspection. `onDone` runs once the review is stored; `standing` is the review
 * that stands (amending it), or null.
 */
function reviewEditor(envelope, detail, standing, onDone) {
  const schema = detail.json_schema;
  const field = detail.decision_field;
  const start = (standing && standing.verdict) || envelope.verdict || modelsObject(envelope.raw_output) || {};
  const featureNames = Object.keys(((schema.properties || {}).features || {}).properties || {});
  const reason = schema.properties && schema.properties.reason
    ? el('textarea', { class: 'reason', rows: 3, maxlength: (schema.properties.reason.maxLength || 10000) }) : null;
  if (reason) reason.value = typeof start.reason === 'string' ? start.reason : '';
  const features = featureNames.map(name => {
    const input = el('input', { 'data-feature': name, maxlength: 10000 });
    const value = (start.features || {})[name];
    input.value = typeof value === 'string' ? value : '';
    return el('label', {}, name, input);
  });
  const note = el('input', { class: 'note', maxlength: 2000 });
  const reviewerInput = el('input', { class: 'reviewer', maxlength: 200 });
  reviewerInput.value = localStorage.getItem('loupe.reviewer') || '';
  const decide = async value => {
    const reviewer = reviewerInput.value.trim();
    if (!reviewer) { showError(new Error(t('review.need-name'))); return; }
    localStorage.setItem('loupe.reviewer', reviewer);
    showError(null);
    const body = { [field]: value, ...consequences(schema, field, value), reviewer };
    if (reason) body.reason = reason.value;
    const given = {};
    features.forEach(label => { const input = $('input', label); if (input.value.trim()) given[input.dataset.feature] = input.value; });
    if (Object.keys(given).length) body.features = given;
    if (note.value.trim()) body.note = note.value;
    try {
      await api('/v1/inspections/' + encodeURIComponent(envelope.id) + '/review', { method: 'POST',
        headers: { 'Content-Type': 'application/json', 'If-Match': '"' + (standing ? standing.revision : 0) + '"' },
        body: JSON.stringify(body) });
      await onDone();
    } catch (error) {
      showError(error);
    }
  };
  const values = ((schema.properties || {})[field] || {}).enum || [];
  // The decision buttons first, where a hand on a tablet finds them; what they send is below them.
  const form = el('div', { class: 'editor' },
    el('div', { class: 'row decide' }, values.map(value =>
      el('button', { type: 'button', class: 'decide ' + value, 'data-decision': value, onclick: () => decide(value) }, value))),
    el('p', { class: 'hint' }, Object.keys(start).length ? t('review.prefilled') : t('review.empty-fields')),
    el('label', {}, t('review.reviewer'), reviewerInput),
    reason ? el('label', {}, t('review.reason'), reason) : null,
    features.length ? el('fieldset', { class: 'features' }, el('legend', {}, t('review.features')), features) : null,
    el('label', {}, t('review.note'), note));
  form.decide = decide;
  form.values = values;
  return form;
}

async function loadQueue() {
  // Only the latest load renders: a profile change can overtake a load still in flight.
  const load = ++queueLoads;
  showError(null);
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
  if (shown && shown.dataset.id === next.id) return; // the same item stays, with what is being typed
  const envelope = await api('/v1/inspections/' + next.id);
  const detail = await profileDetail(envelope.profile || next.profile);
  if (load !== queueLoads) return;
  const editor = reviewEditor(envelope, detail, envelope.review, loadQueue);
  current = editor;
  $('#review-item').replaceChildren(el('div', { class: 'card', id: 'review-card', 'data-id': next.id },
    el('div', { class: 'verdict' },
      el('div', {}, sentImage(next.id, envelope.image), traceLine(envelope.trace || envelope.record),
        next.reason ? el('p', { class: 'hint', id: 'queue-reason' }, t('review.why') + ': ' + next.reason) : null),
      el('div', {}, editor)),
    el('h4', {}, t('review.model')), renderEnvelope(envelope)));
}

// One key per decision, its first letter (O for OK, N for NG), for the review form on screen. While
// typing, with Alt.
document.addEventListener('keydown', event => {
  const reviewing = location.hash === '#review' || location.hash.startsWith('#inspection/');
  if (!reviewing || event.ctrlKey || event.metaKey || !current || !current.isConnected) return;
  const key = event.key.toLowerCase();
  const value = current.values.find(v => v.toLowerCase().startsWith(key));
  if (!value) return;
  const typing = ['INPUT', 'TEXTAREA'].includes(event.target.tagName);
  if (typing && !event.altKey) return;
  event.preventDefault();
  current.decide(value);
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
  const picture = envelope.record && envelope.record.sent_image_available ? sentImage(id, envelope.image) : null;
  const reviews = envelope.reviews || [];
  const history = el('div', { id: 'reviews' }, el('h4', {}, t('review.history')),
    reviews.length ? el('table', {}, reviews.map(r => el('tr', {}, el('td', {}, '#' + r.revision),
      el('td', {}, new Date(r.reviewed_at).toLocaleString()), el('td', {}, r.reviewer), el('td', {}, r.decision),
      el('td', {}, (r.verdict && r.verdict.reason) || ''), el('td', {}, r.note || '')))) : el('p', {}, t('review.none')));
  const amend = el('button', { type: 'button', id: 'amend', onclick: async () => {
    const detail = await profileDetail(envelope.profile || envelope.record.profile);
    current = reviewEditor(envelope, detail, envelope.review, () => showInspection(id));
    amend.replaceWith(current);
  } }, reviews.length ? t('review.amend') : t('review.decide'));
  $('#inspection').replaceChildren(renderEnvelope(envelope, picture, envelope.review),
    el('div', { class: 'card' }, history, amend));
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

// ---- Adapters: what each backend serves, loading one, the last comparison, promotions per profile
async function loadAdapters() {
  const backends = await api('/v1/adapters');
  const served = $('#adapters-table');
  served.replaceChildren(el('tr', {}, ['adapters.backend', 'adapters.models', 'adapters.in-use'].map(k => el('th', {}, t(k)))));
  backends.forEach(b => served.append(el('tr', {}, el('td', {}, b.backend),
    el('td', {}, b.served ? b.served.join(', ') : b.error), el('td', {}, b.in_use.join(', ')))));
  $('#adapter-backend').replaceChildren(...backends.map(b => el('option', { value: b.backend }, b.backend)));
  const events = $('#adapter-events');
  events.replaceChildren(el('tr', {}, ['adapters.when', 'adapters.backend', 'adapters.name', 'col.status', 'adapters.who']
    .map(k => el('th', {}, t(k)))));
  backends.flatMap(b => b.requested).slice(0, 20).forEach(e => events.append(el('tr', {}, el('td', {}, e.at),
    el('td', {}, e.backend), el('td', {}, e.action + ' ' + e.name), el('td', {}, e.outcome + (e.detail ? ': ' + e.detail : '')),
    el('td', {}, e.who || ''))));

  const runs = await api('/v1/robustness-runs');
  const compared = runs.find(r => r.spec && r.spec.models && r.spec.models.length > 1 && r.status === 'finished');
  const comparison = $('#adapters-comparison');
  if (!compared) {
    comparison.replaceChildren(el('p', {}, t('adapters.no-comparison')));
  } else {
    const run = await api('/v1/robustness-runs/' + encodeURIComponent(compared.id));
    comparison.replaceChildren(el('p', {}, `${t('adapters.run')} ${run.id.slice(0, 8)} (${run.profile}, ${run.dataset})`),
      el('ul', {}, ...(run.comparison ? run.comparison.models : []).map(v =>
        el('li', { class: 'verdict-' + v.verdict }, el('b', {}, `${v.model}: ${v.verdict}`), ' ', v.says))));
  }

  const profiles = await api('/v1/profiles');
  const promotions = $('#adapters-promotions');
  promotions.replaceChildren();
  for (const p of profiles) {
    const record = await api('/v1/profiles/' + encodeURIComponent(p.name) + '/promotions');
    promotions.append(el('h4', {}, p.name),
      el('table', { class: 'serving' }, el('tr', {}, ['adapters.step', 'adapters.backend', 'adapters.declared', 'adapters.serving']
        .map(k => el('th', {}, t(k)))), ...record.serving.map(s => el('tr', {}, el('td', {}, String(s.step)),
          el('td', {}, s.backend), el('td', {}, s.declared), el('td', {}, s.model + (s.since ? ' (' + s.since + ')' : ''))))),
      record.history.length ? el('table', { class: 'history' }, el('tr', {}, ['adapters.when', 'adapters.step', 'adapters.serving',
        'adapters.who', 'adapters.why', 'adapters.run'].map(k => el('th', {}, t(k)))), ...record.history.map(h => el('tr', {},
          el('td', {}, h.at), el('td', {}, String(h.step)), el('td', {}, `${h.previous_model} → ${h.model}`
            + (h.rollback ? ' (rollback)' : '') + (h.forced ? ' (forced)' : '')), el('td', {}, h.who || ''),
          el('td', {}, h.reason || ''), el('td', {}, h.run ? `${h.run.slice(0, 8)} ${h.run_verdict}` : '')))) : null);
  }
}

async function loadAdapter(event) {
  event.preventDefault();
  const body = { backend: $('#adapter-backend').value, name: $('#adapter-name').value, path: $('#adapter-path').value };
  const loaded = await api('/v1/adapters', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body) });
  $('#adapter-result').textContent = `${t('adapters.loaded')}: ${loaded.name} (${loaded.backend})`;
  await loadAdapters();
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
    if (view === 'adapters') await loadAdapters();
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
$('#adapter-form').addEventListener('submit', e => loadAdapter(e).catch(showError));
$('#history-more').addEventListener('click', () => search(null, true));
window.addEventListener('hashchange', route);
wireDrop();
applyLanguage();
// The profiles come first: the review queue is filtered by the chosen one.
loadProfiles().catch(showError).then(route);

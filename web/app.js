// cellkiosk web UI: wires the drop zone, options, the per-file list and the viewer together.
import * as api from './api.js';
import { JobManager, JOB_STEPS } from './jobs.js';
import { Viewer } from './viewer.js';

const $ = (id) => document.getElementById(id);

const STATUS_LABEL = {
  queued: 'Ready',
  uploading: 'Uploading',
  submitting: 'Submitting',
  new: 'Queued',
  started: 'Started',
  'pre-processing': 'Pre-processing',
  predicting: 'Predicting',
  'post-processing': 'Post-processing',
  'saving-results': 'Saving results',
  waiting: 'Processing images',
  done: 'Done',
  failed: 'Failed',
};

const fmtSize = (n) => {
  if (n == null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
};

const fmtTime = (s) => {
  if (s == null) return '';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
};

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

const announce = (msg) => {
  $('announcer').textContent = msg;
};

// ---------------------------------------------------------------------------------------------------------
// State
const rows = new Map(); // entry.id -> <tr> (and child rows)
let selected = null; // entry shown in the viewer
const manager = new JobManager((e) => scheduleRender(e));
let viewer;

// Batched rendering: many progress events per frame collapse into one update per entry.
const dirty = new Set();
let frame = 0;
function scheduleRender(e) {
  dirty.add(e.parent || e);
  if (!frame) {
    frame = requestAnimationFrame(() => {
      frame = 0;
      for (const d of dirty) renderEntry(d);
      dirty.clear();
      renderSummary();
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rows
function downloadButton(label, key, title, testid) {
  return el('button', {
    type: 'button',
    class: 'dl',
    'data-testid': testid,
    title,
    text: label,
    onclick: (ev) => {
      ev.stopPropagation();
      api.download(key).catch((err) => announce(`Download failed: ${err.message}`));
    },
  });
}

function resultButtons(e) {
  const o = e.outputs;
  const box = el('div', { class: 'results' });
  if (o.preview || o.overlay) {
    box.append(
      el('button', {
        type: 'button',
        class: 'view',
        'data-testid': 'view-button',
        text: 'View',
        'aria-pressed': selected === e ? 'true' : 'false',
        onclick: (ev) => {
          ev.stopPropagation();
          select(e);
        },
      }),
    );
  }
  if (o.labels) box.append(downloadButton('Labels', o.labels, 'Label image (TIFF): one integer id per nucleus, 0 = background', 'download-labels'));
  if (o.csv) box.append(downloadButton('CSV', o.csv, 'Per-object measurements (CSV): area, centroid, bounding box, intensity, shape; µm when the pixel size is known', 'download-csv'));
  if (o.geojson) box.append(downloadButton('GeoJSON', o.geojson, 'Object outlines with their measurements (GeoJSON): QuPath, File > Import objects', 'download-geojson'));
  if (o.rois) box.append(downloadButton('ROIs', o.rois, 'ImageJ / Fiji ROI set (zip of .roi files): open in the ROI Manager', 'download-rois'));
  if (o.zip) box.append(downloadButton('Zip', o.zip, 'All results of this file as one zip', 'download-zip'));
  return box;
}

function statusCell(e) {
  const cell = el('div', { class: 'status-cell' });
  cell.append(el('span', { class: `badge s-${e.status}`, 'data-testid': 'status', text: STATUS_LABEL[e.status] || e.status }));
  if (e.file && e.status === 'uploading') cell.append(uploadBar(e));
  const step = JOB_STEPS.indexOf(e.status);
  if (!e.isZip && step >= 0 && e.status !== 'done') {
    cell.append(
      el('progress', {
        class: 'steps',
        max: String(JOB_STEPS.length - 1),
        value: String(step),
        'aria-label': `Step ${step + 1} of ${JOB_STEPS.length - 1}`,
      }),
    );
  }
  if (e.isZip && e.hash) {
    const p = e.progress;
    if (p != null && Number.isFinite(p) && e.status !== 'failed') {
      cell.append(
        el('progress', { class: 'zip-progress', 'data-testid': 'zip-progress', max: '100', value: String(p), 'aria-label': 'Archive progress' }),
        el('span', { class: 'pct', text: `${Math.round(p)}%` }),
      );
    }
    const total = e.childKeys.length;
    const done = countOf(e.job['children:done']);
    const failed = countOf(e.job['children:failed']);
    if (total || done || failed) {
      cell.append(
        el('div', {
          class: 'children-count',
          'data-testid': 'children-count',
          text: `${done} done${failed ? `, ${failed} failed` : ''}${total ? ` of ${total}` : ''}`,
        }),
      );
    }
  }
  return cell;
}

function countOf(v) {
  if (v == null || v === '') return 0;
  const s = String(v);
  return /^\d+$/.test(s) ? Number(s) : s.split(',').filter(Boolean).length;
}

function nameCell(e, isChild) {
  const box = el('div', { class: 'name-cell' });
  const nameLine = el('div', { class: 'name-line' });
  if (e.isZip) nameLine.append(el('span', { class: 'tag', text: 'ZIP' }));
  nameLine.append(el('span', { class: 'fname', 'data-testid': 'file-name', title: e.name, text: e.name }));
  if (e.size != null) nameLine.append(el('span', { class: 'fsize', text: fmtSize(e.size) }));
  box.append(nameLine);
  if (e.status === 'done') box.append(resultButtons(e));
  if (e.error) {
    box.append(el('p', { class: 'error', 'data-testid': 'error', role: isChild ? null : 'alert', text: e.error }));
  }
  if (e.warning) box.append(el('p', { class: 'warning', 'data-testid': 'warning', text: e.warning }));
  const links = el('div', { class: 'row-links' });
  if (e.isZip) {
    const f = e.failures;
    if (f.length) {
      const d = el(
        'details',
        { class: 'failures', 'data-testid': 'failures', open: f.length <= 5 },
        el('summary', { text: `${f.length} file${f.length === 1 ? '' : 's'} in this archive failed` }),
        el('ul', {}, ...f.map((x) => el('li', {}, el('strong', { text: x.name || '(unnamed)' }), `: ${x.reason || 'failed'}`))),
      );
      box.append(d);
    }
    if (e.terminal && e.childKeys.length) {
      const shown = e.childrenState === 'shown';
      links.append(
        el('button', {
          type: 'button',
          class: 'linkish small',
          'data-testid': 'toggle-children',
          'aria-expanded': shown ? 'true' : 'false',
          text: e.childrenState === 'loading' ? 'Loading images…' : shown ? 'Hide images' : `Show ${e.childKeys.length} images`,
          disabled: e.childrenState === 'loading',
          onclick: (ev) => {
            ev.stopPropagation();
            if (shown) manager.hideChildren(e);
            else manager.loadChildren(e);
          },
        }),
      );
      if (shown && e.childrenTruncated > 0) box.append(el('p', { class: 'hint', text: `Showing the first ${e.children.length}; download the zip for all.` }));
    }
  }
  if (!isChild && e.status === 'failed' && e.file) {
    links.append(
      el('button', {
        type: 'button',
        class: 'linkish small',
        'data-testid': 'retry',
        text: 'Retry',
        onclick: (ev) => {
          ev.stopPropagation();
          manager.retry(e);
          updateStart();
        },
      }),
    );
  }
  if (links.childNodes.length) box.append(links);
  if (!isChild && (e.status === 'queued' || e.terminal)) {
    nameLine.append(
      el('button', {
        type: 'button',
        class: 'remove',
        'data-testid': 'remove',
        'aria-label': `Remove ${e.name} from the list`,
        title: 'Remove from the list',
        text: '✕',
        onclick: (ev) => {
          ev.stopPropagation();
          removeEntry(e);
        },
      }),
    );
  }
  return box;
}

function uploadBar(e) {
  const p = e.uploadProgress;
  return el(
    'div',
    { class: 'upload-bar' },
    el('progress', { 'data-testid': 'upload-progress', max: '1', value: String(p), 'aria-label': `Upload of ${e.name}` }),
    el('span', { class: 'pct', text: `${Math.round(p * 100)}%` }),
  );
}

function buildRow(e, isChild = false) {
  const tr = el('tr', {
    'data-testid': isChild ? 'child-row' : 'file-row',
    'data-id': e.id,
    'data-name': e.name,
    'data-status': e.status,
    'data-hash': e.hash || null,
    'data-objects': e.objects != null ? String(e.objects) : null,
    class: `row s-${e.status}${isChild ? ' child' : ''}${selected === e ? ' selected' : ''}${e.status === 'done' && (e.outputs.preview || e.outputs.overlay) ? ' viewable' : ''}`,
  });
  tr.append(
    el('td', { class: 'c-name' }, nameCell(e, isChild)),
    el('td', { class: 'c-status' }, statusCell(e)),
    el('td', { class: 'c-num', 'data-testid': 'objects', text: e.status === 'done' && e.objects != null ? String(e.objects) : '' }),
    el('td', {
      class: 'c-num',
      'data-testid': 'time',
      title: e.job.prediction_time ? `prediction ${fmtTime(Number(e.job.prediction_time))}` : null,
      text: e.terminal ? fmtTime(e.totalTime) : '',
    }),
  );
  tr.addEventListener('click', () => {
    if (e.status === 'done' && (e.outputs.preview || e.outputs.overlay)) select(e);
  });
  return tr;
}

function renderEntry(e) {
  const tbody = $('file-rows');
  if (!manager.entries.includes(e)) return;
  const old = rows.get(e.id);
  const tr = buildRow(e);
  // keep the focused control focused across re-renders (keyboard users)
  const focusedTestId = old && old.contains(document.activeElement) ? document.activeElement.getAttribute('data-testid') : null;
  if (old) {
    for (const c of old._children || []) c.remove();
    old.replaceWith(tr);
  } else {
    tbody.append(tr);
  }
  rows.set(e.id, tr);
  tr._children = [];
  if (e.childrenState === 'shown') {
    let after = tr;
    for (const c of e.children) {
      const ctr = buildRow(c, true);
      after.after(ctr);
      after = ctr;
      tr._children.push(ctr);
    }
  }
  if (focusedTestId) tr.querySelector(`[data-testid="${focusedTestId}"]`)?.focus();
  if (e.terminal && !e._announced) {
    e._announced = true;
    announce(e.status === 'done' ? `${e.name}: done${e.objects != null ? `, ${e.objects} objects` : ''}` : `${e.name}: failed. ${e.error}`);
  }
}

function renderAll() {
  $('file-rows').replaceChildren();
  rows.clear();
  for (const e of manager.entries) renderEntry(e);
  renderSummary();
}

function removeEntry(e) {
  if (!manager.remove(e)) return;
  const tr = rows.get(e.id);
  if (tr) {
    for (const c of tr._children || []) c.remove();
    tr.remove();
  }
  rows.delete(e.id);
  if (selected === e || (selected && selected.parent === e)) {
    selected = null;
    viewer.clear('');
    $('viewer-name').textContent = 'Click a finished file to view it.';
    $('viewer-stats').textContent = '';
    $('viewer-downloads').replaceChildren();
  }
  renderSummary();
}

function renderSummary() {
  const s = manager.summary();
  $('empty-list').hidden = s.total > 0;
  const parts = [];
  if (s.queued) parts.push(`${s.queued} ready`);
  if (s.running) parts.push(`${s.running} in progress`);
  if (s.done) parts.push(`${s.done} done`);
  if (s.failed) parts.push(`${s.failed} failed`);
  $('summary').textContent = s.total ? `${s.total} file${s.total === 1 ? '' : 's'}: ${parts.join(', ')}` : '';
  $('download-all').disabled = manager.doneEntries().length === 0 || downloadingAll;
  $('clear-finished').disabled = !manager.entries.some((e) => e.terminal);
  updateStart();
}

function updateStart() {
  const queued = manager.entries.filter((e) => e.status === 'queued').length;
  const btn = $('start-button');
  btn.disabled = queued === 0 || !mppValid();
  btn.textContent = queued > 0 ? `Start ${queued} file${queued === 1 ? '' : 's'}` : 'Start';
  const hint = $('start-hint');
  if (!mppValid()) hint.textContent = 'Pixel size must be a positive number (µm per pixel), or empty.';
  else if (queued) hint.textContent = `${queued} file${queued === 1 ? '' : 's'} ready to upload.`;
  else if (manager.entries.length) hint.textContent = 'Add more images to start again.';
  else hint.textContent = 'Add images to begin.';
}

// ---------------------------------------------------------------------------------------------------------
// Viewer
function select(e) {
  const prev = selected;
  selected = e;
  if (prev) scheduleRender(prev);
  scheduleRender(e);
  const o = e.outputs;
  $('viewer-name').textContent = e.name;
  const dls = $('viewer-downloads');
  dls.replaceChildren();
  if (o.labels) dls.append(downloadButton('Labels (TIFF)', o.labels, 'Label image', 'viewer-download-labels'));
  if (o.csv) dls.append(downloadButton('Objects (CSV)', o.csv, 'Per-object measurements', 'viewer-download-csv'));
  if (o.geojson) dls.append(downloadButton('Outlines (GeoJSON)', o.geojson, 'Object outlines for QuPath', 'viewer-download-geojson'));
  if (o.rois) dls.append(downloadButton('ROIs (ImageJ)', o.rois, 'ImageJ / Fiji ROI set', 'viewer-download-rois'));
  if (o.zip) dls.append(downloadButton('All (zip)', o.zip, 'All results as one zip', 'viewer-download-zip'));
  viewer.show({ title: e.name, objects: e.objects, preview: o.preview, outlines: o.outlines, overlay: o.overlay, csv: o.csv });
  if (window.matchMedia('(max-width: 1100px)').matches) $('viewer').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

// ---------------------------------------------------------------------------------------------------------
// Input: picker, drag and drop (files, folders, zips)
function isHidden(name) {
  return name.startsWith('.') || name === 'Thumbs.db' || name === 'desktop.ini';
}

function addFiles(files) {
  const list = [...files].filter((f) => f && !isHidden(f.name));
  if (!list.length) return;
  const added = manager.add(list);
  for (const e of added) renderEntry(e);
  renderSummary();
  announce(`${added.length} file${added.length === 1 ? '' : 's'} added`);
}

function readAllEntries(reader) {
  return new Promise((resolve) => {
    const all = [];
    const next = () =>
      reader.readEntries(
        (batch) => {
          if (!batch.length) return resolve(all);
          all.push(...batch);
          next();
        },
        () => resolve(all),
      );
    next();
  });
}

async function walkEntry(entry, out, depth = 0) {
  if (!entry || depth > 16) return;
  if (entry.isFile) {
    const f = await new Promise((resolve) => entry.file(resolve, () => resolve(null)));
    if (f) out.push(f);
  } else if (entry.isDirectory) {
    for (const c of await readAllEntries(entry.createReader())) await walkEntry(c, out, depth + 1);
  }
}

async function filesFromDrop(dt) {
  const items = [...(dt.items || [])].filter((i) => i.kind === 'file');
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  if (entries.length && entries.every(Boolean)) {
    const out = [];
    for (const en of entries) await walkEntry(en, out);
    return out;
  }
  return [...(dt.files || [])];
}

function setupInput() {
  const input = $('file-input');
  const zone = $('drop-zone');
  input.addEventListener('change', () => {
    addFiles(input.files);
    input.value = '';
  });
  let depth = 0;
  const hasFiles = (ev) => [...(ev.dataTransfer?.types || [])].includes('Files');
  window.addEventListener('dragenter', (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    depth++;
    zone.classList.add('over');
    document.body.classList.add('dragging-files');
  });
  window.addEventListener('dragover', (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) {
      zone.classList.remove('over');
      document.body.classList.remove('dragging-files');
    }
  });
  window.addEventListener('drop', async (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    depth = 0;
    zone.classList.remove('over');
    document.body.classList.remove('dragging-files');
    addFiles(await filesFromDrop(ev.dataTransfer));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Options
function mppValue() {
  const v = $('mpp-input').value.trim();
  if (!v) return null;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : NaN;
}
const mppValid = () => !Number.isNaN(mppValue());

let models = [];
async function loadModels() {
  const sel = $('model-select');
  const hint = $('model-hint');
  try {
    models = await api.getModels();
  } catch (err) {
    hint.textContent = `Could not list models (${err.message}); the server's default is used.`;
    return;
  }
  const saved = localStorage.getItem('cellkiosk.model');
  sel.replaceChildren(el('option', { value: '', text: 'Server default' }));
  models.forEach((m, i) => sel.append(el('option', { value: String(i), text: m.label })));
  const si = models.findIndex((m) => `${m.name}:${m.version}` === saved);
  const di = models.findIndex((m) => m.isDefault);
  if (si >= 0) sel.value = String(si);
  else if (di >= 0) sel.value = String(di);
  else if (models.length === 1) sel.value = '0';
  describeModel();
}

function describeModel() {
  const sel = $('model-select');
  const m = sel.value === '' ? null : models[Number(sel.value)];
  const raw = m && typeof m.raw === 'object' ? m.raw : null;
  const mpp = raw && (raw.mpp ?? raw.model_mpp ?? raw.resolution_mpp);
  $('model-hint').textContent = m ? (mpp ? `Trained at ${mpp} µm/px.` : '') : models.length ? '' : '';
  if (mpp) $('mpp-input').placeholder = `model default (${mpp})`;
  else $('mpp-input').placeholder = 'model default';
}

function currentOptions() {
  const sel = $('model-select');
  const m = sel.value === '' ? null : models[Number(sel.value)];
  return { modelName: m ? m.name : '', modelVersion: m ? m.version : '', mpp: mppValue() };
}

// ---------------------------------------------------------------------------------------------------------
// Download all
let downloadingAll = false;
async function downloadAll() {
  const list = manager.doneEntries();
  if (!list.length || downloadingAll) return;
  downloadingAll = true;
  const btn = $('download-all');
  btn.disabled = true;
  let failed = 0;
  for (let i = 0; i < list.length; i++) {
    btn.textContent = `Downloading ${i + 1} / ${list.length}…`;
    try {
      await api.download(list[i].outputs.zip, `${list[i].name.replace(/\.[^.]+$/, '')}_results.zip`);
    } catch {
      failed++;
    }
    await new Promise((r) => setTimeout(r, 400)); // browsers drop rapid back-to-back downloads
  }
  downloadingAll = false;
  btn.textContent = 'Download all results';
  announce(failed ? `${failed} download(s) failed` : `Downloaded ${list.length} result archive(s)`);
  renderSummary();
}

// ---------------------------------------------------------------------------------------------------------
// Server state
async function checkServer() {
  const st = $('server-state');
  try {
    await api.healthCheck();
    st.dataset.state = 'ok';
    st.textContent = api.getToken() ? 'Server ready · signed in with token' : 'Server ready';
    return true;
  } catch (err) {
    st.dataset.state = 'down';
    st.textContent = err.status === 401 || err.status === 403 ? err.message : `Server not reachable: ${err.message}`;
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------
function init() {
  api.initToken();
  viewer = new Viewer({
    canvas: $('viewer-canvas'),
    wrap: $('canvas-wrap'),
    coords: $('viewer-coords'),
    status: $('viewer-status'),
    title: $('viewer-name'),
    stats: $('viewer-stats'),
    zoom: $('zoom-level'),
    outlinesToggle: $('outlines-toggle'),
    outlinesControls: $('outlines-controls'),
  });
  $('viewer-status').textContent = 'No file selected.';
  setupInput();
  $('start-button').addEventListener('click', () => {
    const opts = currentOptions();
    const sel = $('model-select');
    if (sel.value !== '') localStorage.setItem('cellkiosk.model', `${opts.modelName}:${opts.modelVersion}`);
    const n = manager.start(opts);
    if (n) announce(`Started ${n} file${n === 1 ? '' : 's'}`);
    renderSummary();
  });
  $('mpp-input').addEventListener('input', () => {
    $('mpp-input').setAttribute('aria-invalid', mppValid() ? 'false' : 'true');
    updateStart();
  });
  $('model-select').addEventListener('change', describeModel);
  $('outlines-toggle').addEventListener('change', (ev) => viewer.setOutlines(ev.target.checked));
  $('outlines-opacity').addEventListener('input', (ev) => viewer.setOpacity(Number(ev.target.value)));
  $('fit-button').addEventListener('click', () => viewer.fit());
  $('download-all').addEventListener('click', downloadAll);
  $('clear-finished').addEventListener('click', () => {
    for (const e of manager.entries.filter((x) => x.terminal)) removeEntry(e);
  });
  window.addEventListener('beforeunload', (ev) => {
    if (manager.entries.some((e) => ['uploading', 'submitting'].includes(e.status))) {
      ev.preventDefault();
      ev.returnValue = '';
    }
  });
  renderAll();
  checkServer().then((ok) => {
    if (ok) loadModels();
    else setTimeout(function retry() {
      checkServer().then((ok2) => (ok2 ? loadModels() : setTimeout(retry, 5000)));
    }, 5000);
  });
  window.cellkiosk = { manager, viewer }; // for debugging and tests
}

init();

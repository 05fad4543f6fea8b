// The per-file work list: upload -> predict -> poll until terminal. UI-agnostic: every change of an entry is
// reported through `onChange(entry)`; app.js renders it.
import * as api from './api.js';

export const JOB_STEPS = ['new', 'started', 'pre-processing', 'predicting', 'post-processing', 'saving-results', 'done'];
export const TERMINAL = new Set(['done', 'failed']);

const POLL_FIRST_MS = 500;
const POLL_MAX_MS = 5000; // with many jobs in flight the cap grows (100 ms per job, up to 30 s) to spare the server
const POLL_MAX_CAP_MS = 30000;
const POLL_BACKOFF = 1.5;
const UPLOAD_CONCURRENCY = 3;
const CHILDREN_SHOWN_MAX = 500;

const isZipName = (name) => /\.zip$/i.test(name);

/** Counts a `children:done`-style field: a number, or a comma-joined list of keys. */
export function countField(v) {
  if (v == null || v === '') return 0;
  const s = String(v).trim();
  if (/^\d+$/.test(s)) return Number(s);
  return s.split(',').filter((x) => x.trim()).length;
}

/**
 * The result files of a done job, by kind, from the job's `outputs_list` field (JSON [{key, name, kind, image}],
 * written by the consumer from the one output set). Nothing here knows file-name suffixes.
 */
export function outputsOf(job) {
  let listed = [];
  try {
    listed = JSON.parse(job.outputs_list || '[]');
  } catch {
    listed = [];
  }
  if (!Array.isArray(listed)) listed = [];
  const find = (kind) => (listed.find((f) => f && f.kind === kind) || {}).key || null;
  return {
    labels: find('labels'),
    csv: find('objects'),
    geojson: find('geojson'),
    rois: find('rois'),
    preview: find('preview'),
    outlines: find('outlines'),
    overlay: find('overlay'),
    zip: job.output_file_name || null,
    all: listed.map((f) => f.key),
  };
}

/** Parses the `failures` field (JSON text: [{name, reason}]) tolerantly. */
export function parseFailures(v) {
  if (!v) return [];
  let list = v;
  if (typeof v === 'string') {
    try {
      list = JSON.parse(v);
    } catch {
      return [{ name: '', reason: v }];
    }
  }
  if (!Array.isArray(list)) return [];
  return list.map((f) => {
    if (typeof f === 'string') return { name: '', reason: f };
    const name = String(f.name ?? f.file ?? '');
    return { name, reason: cleanReason(f.reason ?? f.message ?? '', name) };
  });
}

/**
 * A job reason without the file name the server puts in front of it ("<id>_<name>: corrupt PNG" or
 * "<name>: ..."): the row already shows the name.
 */
export function cleanReason(reason, name) {
  const r = String(reason || '').split('\n')[0].trim();
  const i = r.indexOf(': ');
  if (i > 0 && name) {
    const head = r.slice(0, i).split('/').pop();
    const base = String(name).split('/').pop();
    if (head === base || head.endsWith(`_${base}`)) return r.slice(i + 2);
  }
  return r;
}

let nextId = 1;

export class Entry {
  constructor(file, { parent = null, name = null } = {}) {
    this.id = `f${nextId++}`;
    this.file = file;
    this.name = name || (file ? file.name : '');
    this.size = file ? file.size : null;
    this.isZip = isZipName(this.name);
    this.parent = parent;
    this.status = 'queued'; // queued | uploading | submitting | <job statuses> | failed
    this.uploadProgress = 0;
    this.error = ''; // one line, for a failed entry
    this.warning = ''; // transient trouble (server unreachable while polling)
    this.hash = null;
    this.job = {}; // last known job fields
    this.children = []; // zip parents: child entries once listed
    this.childrenState = 'none'; // none | loading | shown | error
    this.startedAt = null;
  }

  get terminal() {
    return TERMINAL.has(this.status);
  }

  get progress() {
    return this.job.progress != null && this.job.progress !== '' ? Number(this.job.progress) : null;
  }

  get objects() {
    const o = this.job.objects;
    return o != null && o !== '' && Number.isFinite(Number(o)) ? Number(o) : null;
  }

  get totalTime() {
    const t = this.job.total_time;
    return t != null && t !== '' && Number.isFinite(Number(t)) ? Number(t) : null;
  }

  get outputs() {
    return outputsOf(this.job);
  }

  get failures() {
    return parseFailures(this.job.failures);
  }

  get childKeys() {
    return String(this.job.children || '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}

export class JobManager {
  constructor(onChange) {
    this.entries = [];
    this.onChange = onChange || (() => {});
    this.uploading = 0;
    this.pending = []; // entries waiting for an upload slot
    this.options = { modelName: '', modelVersion: '', mpp: null };
    this.fieldListSupported = true;
  }

  changed(e) {
    this.onChange(e);
  }

  add(files) {
    const added = [];
    for (const f of files) {
      const e = new Entry(f);
      this.entries.push(e);
      added.push(e);
    }
    return added;
  }

  remove(entry) {
    if (!['queued', 'failed', 'done'].includes(entry.status)) return false;
    this.entries = this.entries.filter((e) => e !== entry);
    this.pending = this.pending.filter((e) => e !== entry);
    return true;
  }

  /** Starts every queued entry with the given options. Returns how many were started. */
  start(options) {
    this.options = { ...this.options, ...options };
    let n = 0;
    for (const e of this.entries) {
      if (e.status !== 'queued') continue;
      e.status = 'uploading';
      e.options = { ...this.options };
      e.uploadProgress = 0;
      e.startedAt = performance.now();
      this.pending.push(e);
      this.changed(e);
      n++;
    }
    this.pump();
    return n;
  }

  /** Retries a failed entry from the start (upload again). */
  retry(entry) {
    if (entry.status !== 'failed' || !entry.file) return;
    entry.status = 'queued';
    entry.error = '';
    entry.warning = '';
    entry.hash = null;
    entry.job = {};
    entry.children = [];
    entry.childrenState = 'none';
    this.changed(entry);
  }

  pump() {
    while (this.uploading < UPLOAD_CONCURRENCY && this.pending.length) {
      const e = this.pending.shift();
      this.uploading++;
      this.run(e).finally(() => {
        this.uploading--;
        this.pump();
      });
    }
  }

  fail(e, message) {
    e.status = 'failed';
    e.error = String(message || 'failed').split('\n')[0];
    e.warning = '';
    this.changed(e);
  }

  async run(e) {
    let uploaded;
    try {
      const up = api.upload(e.file, (p) => {
        e.uploadProgress = p;
        this.changed(e);
      });
      e.abortUpload = up.abort;
      uploaded = await up.promise;
    } catch (err) {
      this.fail(e, err.message);
      return;
    } finally {
      e.abortUpload = null;
    }
    e.uploadedName = uploaded.uploadedName;
    e.status = 'submitting';
    this.changed(e);
    try {
      e.hash = await api.predict({ uploadedName: uploaded.uploadedName, ...e.options });
    } catch (err) {
      this.fail(e, err.message);
      return;
    }
    e.status = 'new';
    e.job.status = 'new';
    this.changed(e);
    this.poll(e); // not awaited: the upload slot is free once the job exists
  }

  async readStatus(e) {
    const fields = ['status', 'reason', 'progress', 'children:done', 'children:failed', 'objects'];
    if (this.fieldListSupported) {
      try {
        const v = await api.readFields(e.hash, fields);
        if (v && typeof v === 'object' && v.status != null) return v;
        // no status: an unknown (expired) job, or a server that ignores list keys; GET /api/jobs tells which
      } catch (err) {
        if (err.status && err.status >= 400 && err.status < 500 && err.status !== 404 && err.status !== 429) {
          this.fieldListSupported = false; // a server without list keys: use GET /api/jobs/<hash>
        } else {
          throw err;
        }
      }
    }
    return api.getJob(e.hash);
  }

  pollCap() {
    let active = 0;
    for (const x of this.entries) if (x.hash && !x.terminal) active++;
    return Math.min(POLL_MAX_CAP_MS, Math.max(POLL_MAX_MS, active * 100));
  }

  async poll(e) {
    let delay = POLL_FIRST_MS;
    let errors = 0;
    let last = '';
    for (;;) {
      await new Promise((r) => setTimeout(r, delay));
      let v;
      try {
        v = await this.readStatus(e);
        errors = 0;
        if (e.warning) {
          e.warning = '';
          this.changed(e);
        }
      } catch (err) {
        if (err.status === 404 || err.status === 410) {
          this.fail(e, err.message || 'The job no longer exists on the server');
          return;
        }
        errors++;
        e.warning = `Lost contact with the server; retrying (${err.message})`;
        this.changed(e);
        delay = Math.min(POLL_MAX_MS * 2, delay * 2);
        continue;
      }
      for (const [k, val] of Object.entries(v)) if (val != null) e.job[k] = val;
      const status = String(v.status || e.status);
      const sig = `${status}|${v.progress}|${v['children:done']}|${v['children:failed']}`;
      if (TERMINAL.has(status)) {
        await this.finish(e, status);
        return;
      }
      e.status = status;
      if (sig !== last) {
        last = sig;
        delay = POLL_FIRST_MS;
        this.changed(e);
      } else {
        delay = Math.min(this.pollCap(), delay * POLL_BACKOFF);
      }
    }
  }

  async finish(e, status) {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const job = await api.getJob(e.hash);
        e.job = { ...e.job, ...job };
        break;
      } catch (err) {
        if (attempt === 4) e.warning = `Could not read the job's results: ${err.message}`;
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
    }
    e.status = status;
    if (status === 'failed') {
      e.error = cleanReason(e.job.reason, e.name) || 'The job failed (the server gave no reason)';
    }
    this.changed(e);
  }

  /** Zip parents: loads the child jobs (done ones become viewable rows). */
  async loadChildren(e) {
    if (e.childrenState === 'loading' || e.childrenState === 'shown') return;
    e.childrenState = 'loading';
    this.changed(e);
    const keys = e.childKeys.slice(0, CHILDREN_SHOWN_MAX);
    const children = [];
    let i = 0;
    const worker = async () => {
      while (i < keys.length) {
        const k = keys[i++];
        const c = new Entry(null, { parent: e, name: k });
        c.hash = k;
        try {
          c.job = await api.getJob(k);
          c.name = c.job.original_name || c.job.input_file_name?.split('/').pop() || k;
          c.status = c.job.status || 'new';
          if (c.status === 'failed') c.error = cleanReason(c.job.reason, c.name) || 'failed';
        } catch (err) {
          c.status = 'failed';
          c.error = err.message;
        }
        children.push({ k, c });
      }
    };
    try {
      await Promise.all([worker(), worker(), worker(), worker()]);
      const order = new Map(keys.map((k, j) => [k, j]));
      children.sort((a, b) => order.get(a.k) - order.get(b.k));
      e.children = children.map((x) => x.c);
      e.childrenState = 'shown';
      e.childrenTruncated = e.childKeys.length - keys.length;
    } catch (err) {
      e.childrenState = 'error';
      e.warning = err.message;
    }
    this.changed(e);
  }

  hideChildren(e) {
    e.childrenState = 'none';
    e.children = [];
    this.changed(e);
  }

  /** Every finished job with a result zip, in list order. */
  doneEntries() {
    return this.entries.filter((e) => e.status === 'done' && e.outputs.zip);
  }

  summary() {
    const s = { total: this.entries.length, queued: 0, running: 0, done: 0, failed: 0 };
    for (const e of this.entries) {
      if (e.status === 'queued') s.queued++;
      else if (e.status === 'done') s.done++;
      else if (e.status === 'failed') s.failed++;
      else s.running++;
    }
    return s;
  }
}

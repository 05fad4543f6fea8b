// REST client for the cellkiosk frontend (/api/*). Every answer is JSON; errors are {"message"} with a 4xx/5xx code.
// Optional bearer auth: a `?token=T` in the page URL is stored in localStorage and sent on every request.

const TOKEN_KEY = 'cellkiosk.token';

/** Reads ?token= from the page URL once (then removes it from the address bar) and remembers it. */
export function initToken() {
  const url = new URL(window.location.href);
  const t = url.searchParams.get('token');
  if (t !== null) {
    if (t) localStorage.setItem(TOKEN_KEY, t);
    else localStorage.removeItem(TOKEN_KEY);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return getToken();
}

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

function authHeaders(extra = {}) {
  const h = { ...extra };
  const t = getToken();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

/** An error from the API: `message` is the server's one line (or a description of what went wrong). */
export class ApiError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

function messageFrom(status, text, fallback) {
  try {
    const j = JSON.parse(text);
    if (j && typeof j.message === 'string' && j.message) return j.message;
    if (j && typeof j.error === 'string' && j.error) return j.error;
  } catch {
    /* not JSON */
  }
  if (status === 401 || status === 403) return 'Not authorised: open the page with ?token=<your token>';
  if (status === 413) return 'File too large for this server';
  if (status === 415) return 'Unsupported file type';
  const t = (text || '').trim().split('\n')[0].slice(0, 200);
  return t ? `${fallback} (HTTP ${status}): ${t}` : `${fallback} (HTTP ${status || 'no answer'})`;
}

async function request(method, path, body) {
  const init = { method, headers: authHeaders() };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(`Cannot reach the server (${e.message || e})`, 0);
  }
  const text = await res.text();
  if (!res.ok) throw new ApiError(messageFrom(res.status, text, `${method} ${path} failed`), res.status);
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError(`${method} ${path}: the server's answer is not JSON`, res.status);
  }
}

export const getJSON = (path) => request('GET', path);
export const postJSON = (path, body) => request('POST', path, body);

export function healthCheck() {
  return getJSON('/api/health-check');
}

/**
 * Normalizes /api/models to [{name, version, label, raw}]. Tolerant of the shapes servers use: an array of
 * objects or of "name[:version]" strings; an object with `details` (array of {name, versions|version, ...});
 * an object with `models` that is an array, or a map name -> [versions] (the Kiosk's shape) or name -> info.
 */
export function normalizeModels(data) {
  let list = data;
  if (list && !Array.isArray(list) && typeof list === 'object') {
    if (Array.isArray(list.details) && list.details.length) list = list.details;
    else list = list.models ?? list.items ?? list.data ?? [];
    if (list && !Array.isArray(list) && typeof list === 'object') {
      list = Object.entries(list).map(([name, v]) => {
        if (Array.isArray(v)) return { name, versions: v };
        if (v && typeof v === 'object') return { name, ...v };
        return v != null && v !== '' ? { name, version: String(v) } : { name };
      });
    }
  }
  if (!Array.isArray(list)) return [];
  const out = [];
  for (const m of list) {
    if (typeof m === 'string') {
      const [name, version = ''] = m.split(':');
      out.push({ name, version, label: version ? `${name} (v${version})` : name, raw: m });
    } else if (m && typeof m === 'object' && (m.name || m.model || m.id)) {
      const name = String(m.name ?? m.model ?? m.id);
      let versions = [''];
      if (Array.isArray(m.versions) && m.versions.length) versions = m.versions.map(String);
      else if (m.version != null && m.version !== '') versions = [String(m.version)];
      const desc = typeof (m.description || m.title) === 'string' ? (m.description || m.title).split('\n')[0].slice(0, 80) : '';
      for (const version of versions) {
        let label = version ? `${name} (v${version})` : name;
        if (desc) label += ` — ${desc}`;
        out.push({ name, version, label, raw: m, isDefault: !!(m.default || m.is_default) });
      }
    }
  }
  return out;
}

export async function getModels() {
  return normalizeModels(await getJSON('/api/models'));
}

/**
 * Uploads one file (multipart part `file`) with progress. Resolves {imageURL, uploadedName};
 * rejects with ApiError (413/415 carry the server's message). `onProgress(fraction)` gets 0..1.
 * Returns {promise, abort}.
 */
export function upload(file, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', '/api/upload');
    const t = getToken();
    if (t) xhr.setRequestHeader('Authorization', `Bearer ${t}`);
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable && onProgress) onProgress(ev.loaded / ev.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          const j = JSON.parse(xhr.responseText);
          if (!j.uploadedName) throw new Error('no uploadedName');
          if (onProgress) onProgress(1);
          resolve(j);
        } catch {
          reject(new ApiError('Upload: the server answered without an uploadedName', xhr.status));
        }
      } else {
        reject(new ApiError(messageFrom(xhr.status, xhr.responseText, 'Upload failed'), xhr.status));
      }
    };
    xhr.onerror = () => reject(new ApiError('Upload failed: the connection to the server was lost', 0));
    xhr.onabort = () => reject(new ApiError('Upload cancelled', 0));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

/** Creates a segmentation job for an uploaded file; resolves the job key (hash). */
export async function predict({ uploadedName, modelName = '', modelVersion = '', mpp = null }) {
  const imageName = uploadedName.replace(/^uploads\//, '');
  const body = {
    jobType: 'segmentation',
    imageName,
    uploadedName,
    modelName,
    modelVersion,
    dataRescale: '',
    outputs: 'overlay,preview',
  };
  if (mpp != null && Number.isFinite(mpp) && mpp > 0) body.mpp = mpp;
  const j = await postJSON('/api/predict', body);
  if (!j.hash) throw new ApiError('Predict: the server answered without a job key');
  return j.hash;
}

/** Reads job fields: `fields` a name → value, a list → {name: value}. */
export async function readFields(hash, fields) {
  const j = await postJSON('/api/redis', { hash, key: fields });
  if (!Array.isArray(fields)) return j.value;
  const v = Array.isArray(j.value) ? j.value : [];
  const out = {};
  fields.forEach((f, i) => {
    out[f] = v[i] ?? null;
  });
  return out;
}

/** All fields of a job as one object. */
export function getJob(hash) {
  return getJSON(`/api/jobs/${encodeURIComponent(hash)}`);
}

const encodeKey = (key) => key.split('/').map(encodeURIComponent).join('/');

export const fileURL = (key) => `/files/${encodeKey(key)}`;
export const downloadURL = (key) => `/api/download/${encodeKey(key)}`;

/** Fetches a bucket object (inline) as a Blob, with auth. */
export async function fetchBlob(key) {
  let res;
  try {
    res = await fetch(fileURL(key), { headers: authHeaders() });
  } catch (e) {
    throw new ApiError(`Cannot reach the server (${e.message || e})`);
  }
  if (!res.ok) throw new ApiError(messageFrom(res.status, await res.text(), `Cannot load ${key}`), res.status);
  return res.blob();
}

/**
 * Saves a bucket object as a download. Without a token a plain link streams it; with one the file is
 * fetched with the Authorization header and saved from memory.
 */
export async function download(key, filename) {
  const name = filename || key.split('/').pop();
  const a = document.createElement('a');
  a.download = name;
  a.rel = 'noopener';
  let objectURL = null;
  if (getToken()) {
    const res = await fetch(downloadURL(key), { headers: authHeaders() });
    if (!res.ok) throw new ApiError(messageFrom(res.status, await res.text(), `Cannot download ${name}`), res.status);
    objectURL = URL.createObjectURL(await res.blob());
    a.href = objectURL;
  } else {
    a.href = downloadURL(key);
  }
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (objectURL) setTimeout(() => URL.revokeObjectURL(objectURL), 60_000);
}

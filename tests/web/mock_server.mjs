#!/usr/bin/env node
// A stand-in for `cellkiosk serve`, for developing the web UI without the C++ build: it implements the REST
// contract the UI uses (upload, predict, redis, jobs, files, download, models, health-check) with fake results.
// A PNG upload "segments" into a few coloured circles after walking the Kiosk statuses; anything that is not
// a PNG fails with a reason; a zip becomes a zip parent whose children all fail (the mock cannot unzip).
//   node tests/web/mock_server.mjs --port 8080 [--web DIR]
// Not used by CTest (browser_test.mjs runs the real server); `CK_MOCK=1 node browser_test.mjs` uses it.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (n, d) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : d;
};
const port = Number(opt('--port', '8080'));
const webDir = path.resolve(opt('--web', path.join(here, '..', '..', 'web')));

const bucket = new Map(); // key -> {data, type}
const jobs = new Map(); // hash -> fields

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const crc32 = (buf) => {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};
function png(w, h, rgba) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) rgba.copy(raw, y * (w * 4 + 1) + 1, y * w * 4, (y + 1) * w * 4);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function fakeSegment(pngBytes) {
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  if (pngBytes.length < 33 || !pngBytes.subarray(0, 8).equals(sig)) throw new Error('cannot decode image: not a PNG or TIFF file');
  const w = pngBytes.readUInt32BE(16);
  const h = pngBytes.readUInt32BE(20);
  if (pngBytes.toString('latin1', 12, 16) !== 'IHDR' || !(w > 0 && h > 0 && w * h < 1e8)) throw new Error('cannot decode image: corrupt PNG header');
  try {
    zlib.inflateSync(pngBytes.subarray(pngBytes.indexOf('IDAT') + 4, pngBytes.length - 16));
  } catch {
    /* good enough for a mock */
  }
  const out = Buffer.alloc(w * h * 4);
  const objs = [];
  const n = 12;
  for (let i = 0; i < n; i++) {
    const cx = ((i * 97) % 10) / 10 * w + w / 20;
    const cy = ((i * 37) % 7) / 7 * h + h / 14;
    const r = Math.max(4, Math.min(w, h) / 16);
    const hue = (i * 137) % 360;
    const [R, G, B] = hsl(hue);
    objs.push({ label: i + 1, area: Math.round(Math.PI * r * r), cx, cy, r });
    for (let a = 0; a < 720; a++) {
      const x = Math.round(cx + r * Math.cos((a * Math.PI) / 360));
      const y = Math.round(cy + r * Math.sin((a * Math.PI) / 360));
      if (x < 0 || y < 0 || x >= w || y >= h) continue;
      const o = (y * w + x) * 4;
      out[o] = R;
      out[o + 1] = G;
      out[o + 2] = B;
      out[o + 3] = 255;
    }
  }
  const csv =
    'label,area_px,centroid_y,centroid_x,bbox_min_row,bbox_min_col,bbox_max_row,bbox_max_col,mean_intensity\n' +
    objs.map((o) => [o.label, o.area, o.cy.toFixed(2), o.cx.toFixed(2), Math.floor(o.cy - o.r), Math.floor(o.cx - o.r), Math.ceil(o.cy + o.r), Math.ceil(o.cx + o.r), 0.5].join(',')).join('\n') + '\n';
  return { outlines: png(w, h, out), csv, objects: objs.length };
}
function hsl(h) {
  const f = (n) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (0.5 - 0.5 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

const STEPS = ['new', 'started', 'pre-processing', 'predicting', 'post-processing', 'saving-results'];
function runJob(hash) {
  const j = jobs.get(hash);
  let i = 0;
  const t0 = Date.now();
  const tick = () => {
    i++;
    if (i < STEPS.length) {
      j.status = STEPS[i];
      setTimeout(tick, 250);
      return;
    }
    const input = bucket.get(j.input_file_name);
    try {
      const stem = j.original_name.replace(/\.[^.]+$/, '');
      const seg = fakeSegment(input.data);
      const prefix = `output/${crypto.randomUUID()}/`;
      const files = {
        [`${prefix}${stem}_labels.tif`]: { data: Buffer.from('II*\0fake'), type: 'image/tiff' },
        [`${prefix}${stem}_objects.csv`]: { data: Buffer.from(seg.csv), type: 'text/csv' },
        [`${prefix}${stem}_preview.png`]: { data: input.data, type: 'image/png' },
        [`${prefix}${stem}_outlines.png`]: { data: seg.outlines, type: 'image/png' },
      };
      for (const [k, v] of Object.entries(files)) bucket.set(k, v);
      const zipKey = `${prefix.slice(0, -1)}.zip`;
      bucket.set(zipKey, { data: Buffer.from('PK\x05\x06' + '\0'.repeat(18)), type: 'application/zip' });
      Object.assign(j, {
        status: 'done',
        output_file_name: zipKey,
        output_prefix: prefix,
        output_files: Object.keys(files).join(','),
        outputs_list: JSON.stringify(
          Object.keys(files).map((key) => ({
            key,
            name: key.slice(prefix.length),
            kind: key.match(/_(labels|objects|preview|outlines|overlay)\.[a-z]+$/)[1],
            image: stem,
          })),
        ),
        objects: String(seg.objects),
        total_time: ((Date.now() - t0) / 1000).toFixed(2),
        prediction_time: '0.12',
        finished_at: new Date().toISOString(),
      });
    } catch (e) {
      Object.assign(j, { status: 'failed', reason: e.message });
    }
  };
  setTimeout(tick, 250);
}

function runZip(hash) {
  const j = jobs.get(hash);
  j.status = 'waiting';
  const kids = [];
  for (let k = 0; k < 3; k++) {
    const kh = `segmentation:child${k}.png:${crypto.randomUUID()}`;
    jobs.set(kh, { status: 'failed', reason: 'mock server: cannot unzip', original_name: `child${k}.png` });
    kids.push(kh);
  }
  j.children = kids.join(',');
  let p = 0;
  const tick = () => {
    p += 34;
    j.progress = String(Math.min(100, p));
    j['children:failed'] = kids.slice(0, Math.min(3, Math.ceil(p / 34))).join(',');
    if (p < 100) return setTimeout(tick, 300);
    j.status = 'failed';
    j.reason = 'all 3 images in the archive failed';
    j.failures = JSON.stringify(kids.map((_, k) => ({ name: `child${k}.png`, reason: 'mock server: cannot unzip' })));
  };
  setTimeout(tick, 300);
}

function send(res, code, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
const readBody = (req) =>
  new Promise((resolve) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
  });

function parseMultipart(body, ctype) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(ctype || '');
  if (!m) return null;
  const b = Buffer.from(`--${m[1] || m[2]}`);
  let i = body.indexOf(b);
  while (i >= 0) {
    const next = body.indexOf(b, i + b.length);
    if (next < 0) break;
    const part = body.subarray(i + b.length + 2, next - 2);
    const he = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, he).toString();
    const fn = /filename="([^"]*)"/.exec(head);
    if (/name="file"/.test(head) && fn) return { filename: path.basename(fn[1]), data: part.subarray(he + 4) };
    i = next;
  }
  return null;
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml' };

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = decodeURIComponent(url.pathname);
  try {
    if (p === '/api/health-check') return send(res, 200, { message: 'ok' });
    if (p === '/api/models') return send(res, 200, { models: [{ name: 'nuclear', version: '1', mpp: 0.65, description: 'NucleusNet (mock)' }] });
    if (p === '/api/jobtypes') return send(res, 200, { jobTypes: ['segmentation', 'segmentation-zip'] });
    if (p === '/api/upload' && req.method === 'POST') {
      const f = parseMultipart(await readBody(req), req.headers['content-type']);
      if (!f) return send(res, 400, { message: 'no multipart part named file' });
      if (!/\.(png|tiff?|zip)$/i.test(f.filename)) return send(res, 415, { message: `unsupported file type: ${f.filename} (PNG, TIFF or ZIP)` });
      const key = `uploads/${crypto.randomUUID().slice(0, 8)}_${f.filename}`;
      bucket.set(key, { data: f.data, type: 'application/octet-stream' });
      return send(res, 200, { imageURL: `http://${req.headers.host}/files/${key}`, uploadedName: key });
    }
    if (p === '/api/predict' && req.method === 'POST') {
      const b = JSON.parse((await readBody(req)).toString());
      if (!bucket.has(b.uploadedName)) return send(res, 400, { message: `no such upload: ${b.uploadedName}` });
      const zip = /\.zip$/i.test(b.imageName);
      const hash = `${zip ? 'segmentation-zip' : 'segmentation'}:${b.imageName}:${crypto.randomUUID()}`;
      jobs.set(hash, { status: 'new', original_name: b.imageName.replace(/^[^_]*_/, ''), input_file_name: b.uploadedName, created_at: new Date().toISOString() });
      if (zip) runZip(hash);
      else runJob(hash);
      return send(res, 200, { hash });
    }
    if (p === '/api/redis' && req.method === 'POST') {
      const b = JSON.parse((await readBody(req)).toString());
      const j = jobs.get(b.hash);
      if (!j) return send(res, 404, { message: 'no such job' });
      if (Array.isArray(b.key)) return send(res, 200, { value: b.key.map((k) => j[k] ?? null) });
      return send(res, 200, { value: j[b.key] ?? null });
    }
    if (p.startsWith('/api/jobs/')) {
      const j = jobs.get(p.slice('/api/jobs/'.length));
      return j ? send(res, 200, j) : send(res, 404, { message: 'no such job' });
    }
    if (p.startsWith('/api/download/') || p.startsWith('/files/')) {
      const key = p.startsWith('/files/') ? p.slice(7) : p.slice(14);
      const o = bucket.get(key);
      if (!o) return send(res, 404, { message: `no such file: ${key}` });
      const h = { 'Content-Type': o.type, 'Content-Length': o.data.length };
      if (p.startsWith('/api/')) h['Content-Disposition'] = `attachment; filename="${path.basename(key)}"`;
      res.writeHead(200, h);
      return res.end(o.data);
    }
    if (p.startsWith('/api/')) return send(res, 404, { message: `no such endpoint: ${p}` });
    const file = path.join(webDir, p === '/' ? 'index.html' : path.normalize(p).replace(/^([/\\])+/, ''));
    if (!file.startsWith(webDir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  } catch (e) {
    send(res, 500, { message: e.message });
  }
});
server.listen(port, '127.0.0.1', () => console.log(`mock cellkiosk on http://127.0.0.1:${port}/`));

// Result viewer: the normalized input image (preview) with the coloured outlines layer on top, in one canvas.
// Wheel zooms around the cursor, dragging pans, "Fit" fits; the cursor's pixel coordinates, grey value and the
// object under it (from the per-object CSV) are shown.
import * as api from './api.js';

const MIN_SCALE = 0.02;
const MAX_SCALE = 64;

async function loadBitmap(key) {
  const blob = await api.fetchBlob(key);
  try {
    return await createImageBitmap(blob);
  } catch {
    throw new Error(`${key.split('/').pop()} is not a readable image`);
  }
}

async function loadObjects(key) {
  const blob = await api.fetchBlob(key);
  const text = await blob.text();
  const lines = text.split(/\r?\n/).filter(Boolean);
  if (lines.length < 1) return [];
  const head = lines[0].split(',');
  const col = (n) => head.indexOf(n);
  const ix = {
    label: col('label'),
    area: col('area_px'),
    cy: col('centroid_y'),
    cx: col('centroid_x'),
    y0: col('bbox_min_row'),
    x0: col('bbox_min_col'),
    y1: col('bbox_max_row'),
    x1: col('bbox_max_col'),
  };
  if (Object.values(ix).some((i) => i < 0)) return [];
  const out = [];
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].split(',').map(Number);
    out.push({ label: c[ix.label], area: c[ix.area], cy: c[ix.cy], cx: c[ix.cx], y0: c[ix.y0], x0: c[ix.x0], y1: c[ix.y1], x1: c[ix.x1] });
  }
  return out;
}

export class Viewer {
  /**
   * @param {object} els {canvas, wrap, coords, status, title, stats}
   */
  constructor(els) {
    this.els = els;
    this.canvas = els.canvas;
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: false });
    this.preview = null;
    this.outlines = null;
    this.greys = null; // preview pixel data for the grey value under the cursor
    this.objects = [];
    this.showOutlines = true;
    this.opacity = 1;
    this.scale = 1;
    this.tx = 0;
    this.ty = 0;
    this.hover = null;
    this.loadSeq = 0;
    this.dpr = window.devicePixelRatio || 1;
    this.bind();
    new ResizeObserver(() => this.resize()).observe(els.wrap);
    this.resize();
  }

  bind() {
    const c = this.canvas;
    c.addEventListener(
      'wheel',
      (ev) => {
        if (!this.preview) return;
        ev.preventDefault();
        const r = c.getBoundingClientRect();
        const k = Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015));
        this.zoomAt(ev.clientX - r.left, ev.clientY - r.top, k);
      },
      { passive: false },
    );
    let drag = null;
    c.addEventListener('pointerdown', (ev) => {
      if (!this.preview || ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, tx: this.tx, ty: this.ty };
      c.setPointerCapture(ev.pointerId);
      c.classList.add('dragging');
    });
    c.addEventListener('pointermove', (ev) => {
      if (drag) {
        this.fitted = false;
        this.tx = drag.tx + (ev.clientX - drag.x);
        this.ty = drag.ty + (ev.clientY - drag.y);
        this.draw();
      }
      const r = c.getBoundingClientRect();
      this.updateCursor(ev.clientX - r.left, ev.clientY - r.top);
    });
    const end = (ev) => {
      if (!drag) return;
      drag = null;
      c.classList.remove('dragging');
      try {
        c.releasePointerCapture(ev.pointerId);
      } catch {
        /* already released */
      }
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('pointerleave', () => {
      if (!drag) this.updateCursor(null, null);
    });
    c.addEventListener('dblclick', () => this.fit());
    c.addEventListener('keydown', (ev) => {
      if (!this.preview) return;
      const w = this.canvas.clientWidth / 2;
      const h = this.canvas.clientHeight / 2;
      const step = 40;
      const keys = {
        '+': () => this.zoomAt(w, h, 1.25),
        '=': () => this.zoomAt(w, h, 1.25),
        '-': () => this.zoomAt(w, h, 0.8),
        0: () => this.fit(),
        f: () => this.fit(),
        o: () => this.setOutlines(!this.showOutlines, true),
        ArrowLeft: () => this.panBy(step, 0),
        ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step),
        ArrowDown: () => this.panBy(0, -step),
      };
      const fn = keys[ev.key];
      if (fn) {
        ev.preventDefault();
        fn();
      }
    });
  }

  panBy(dx, dy) {
    this.fitted = false;
    this.tx += dx;
    this.ty += dy;
    this.draw();
  }

  zoomAt(x, y, k) {
    const s = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * k));
    const f = s / this.scale;
    this.fitted = false;
    this.tx = x - (x - this.tx) * f;
    this.ty = y - (y - this.ty) * f;
    this.scale = s;
    this.draw();
    this.emitZoom();
  }

  emitZoom() {
    if (this.els.zoom) this.els.zoom.textContent = `${Math.round(this.scale * 100)}%`;
  }

  resize() {
    const w = this.els.wrap.clientWidth;
    const h = this.els.wrap.clientHeight;
    this.dpr = window.devicePixelRatio || 1;
    const first = this.canvas.width === 0 || !this.sized;
    this.canvas.width = Math.max(1, Math.round(w * this.dpr));
    this.canvas.height = Math.max(1, Math.round(h * this.dpr));
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.sized = w > 0 && h > 0;
    if (this.preview && (first || this.fitted)) this.fit();
    else this.draw();
  }

  fit() {
    if (!this.preview) return this.draw();
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    const s = Math.min(w / this.preview.width, h / this.preview.height) * 0.98;
    this.scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, s || 1));
    this.tx = (w - this.preview.width * this.scale) / 2;
    this.ty = (h - this.preview.height * this.scale) / 2;
    this.fitted = true;
    this.draw();
    this.emitZoom();
  }

  setOutlines(on, syncControl = false) {
    this.showOutlines = on;
    if (syncControl && this.els.outlinesToggle) this.els.outlinesToggle.checked = on;
    this.canvas.dataset.outlines = on ? 'on' : 'off';
    this.draw();
  }

  setOpacity(x) {
    this.opacity = Math.max(0, Math.min(1, x));
    this.draw();
  }

  draw() {
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.preview) return;
    const d = this.dpr;
    ctx.setTransform(d * this.scale, 0, 0, d * this.scale, d * this.tx, d * this.ty);
    ctx.imageSmoothingEnabled = this.scale < 1;
    ctx.imageSmoothingQuality = 'high';
    ctx.globalAlpha = 1;
    ctx.drawImage(this.preview, 0, 0);
    if (this.outlines && this.showOutlines && this.opacity > 0) {
      ctx.globalAlpha = this.opacity;
      ctx.drawImage(this.outlines, 0, 0, this.preview.width, this.preview.height);
      ctx.globalAlpha = 1;
    }
    if (this.hover) {
      const o = this.hover;
      ctx.lineWidth = 1.5 / this.scale;
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.setLineDash([4 / this.scale, 3 / this.scale]);
      ctx.strokeRect(o.x0 - 0.5, o.y0 - 0.5, o.x1 - o.x0 + 1, o.y1 - o.y0 + 1);
      ctx.setLineDash([]);
    }
  }

  /** Image pixel under a canvas point, or null outside the image. */
  pixelAt(x, y) {
    if (x == null || !this.preview) return null;
    const px = Math.floor((x - this.tx) / this.scale);
    const py = Math.floor((y - this.ty) / this.scale);
    if (px < 0 || py < 0 || px >= this.preview.width || py >= this.preview.height) return null;
    return { x: px, y: py };
  }

  objectAt(p) {
    let best = null;
    let bestD = Infinity;
    for (const o of this.objects) {
      // bbox max is exclusive (region props convention) or inclusive: accept both
      if (p.x < o.x0 || p.x > o.x1 || p.y < o.y0 || p.y > o.y1) continue;
      const d = (p.x - o.cx) ** 2 + (p.y - o.cy) ** 2;
      if (d < bestD) {
        bestD = d;
        best = o;
      }
    }
    return best;
  }

  updateCursor(x, y) {
    const p = this.pixelAt(x, y);
    const el = this.els.coords;
    let hover = null;
    if (!p) {
      el.textContent = this.preview ? `${this.preview.width} × ${this.preview.height} px` : '';
    } else {
      let s = `x ${p.x}, y ${p.y}`;
      if (this.greys) s += ` · value ${this.greys[(p.y * this.preview.width + p.x) * 4]}`;
      hover = this.objectAt(p);
      if (hover) s += ` · object #${hover.label} (${hover.area} px²)`;
      el.textContent = s;
    }
    if (hover !== this.hover) {
      this.hover = hover;
      this.draw();
    }
  }

  clear(message = '') {
    this.loadSeq++;
    this.preview = null;
    this.outlines = null;
    this.objects = [];
    this.greys = null;
    this.canvas.dataset.ready = 'false';
    this.els.status.textContent = message;
    this.els.coords.textContent = '';
    this.draw();
  }

  /**
   * Shows a done job: {title, objects, preview, outlines, overlay, csv} (bucket keys).
   * The overlay PNG stands in for preview + outlines when those are missing.
   */
  async show(item) {
    const seq = ++this.loadSeq;
    this.canvas.dataset.ready = 'false';
    this.els.status.textContent = 'Loading…';
    this.els.title.textContent = item.title;
    this.els.stats.textContent = item.objects != null ? `${item.objects} objects` : '';
    const base = item.preview || item.overlay;
    if (!base) {
      this.clear('This result has no preview image (the server did not write one).');
      this.els.title.textContent = item.title;
      return;
    }
    try {
      const [preview, outlines] = await Promise.all([
        loadBitmap(base),
        item.preview && item.outlines ? loadBitmap(item.outlines) : Promise.resolve(null),
      ]);
      if (seq !== this.loadSeq) return;
      this.preview = preview;
      this.outlines = outlines;
      this.hover = null;
      this.objects = [];
      this.greys = null;
      try {
        const off = new OffscreenCanvas(preview.width, preview.height);
        const octx = off.getContext('2d');
        octx.drawImage(preview, 0, 0);
        this.greys = octx.getImageData(0, 0, preview.width, preview.height).data;
      } catch {
        this.greys = null;
      }
      this.els.status.textContent = outlines ? '' : item.preview ? 'No outlines layer for this result.' : 'Showing the overlay image.';
      this.els.outlinesControls.hidden = !outlines;
      this.fit();
      this.els.coords.textContent = `${preview.width} × ${preview.height} px`;
      this.canvas.dataset.ready = 'true';
      this.canvas.dataset.outlines = this.showOutlines && outlines ? 'on' : 'off';
      if (item.csv) {
        loadObjects(item.csv)
          .then((objs) => {
            if (seq !== this.loadSeq) return;
            this.objects = objs;
            if (item.objects == null) this.els.stats.textContent = `${objs.length} objects`;
            if (objs.length) {
              const areas = objs.map((o) => o.area).sort((a, b) => a - b);
              const med = areas[Math.floor(areas.length / 2)];
              this.els.stats.textContent += ` · median area ${med} px²`;
            }
          })
          .catch(() => {});
      }
    } catch (err) {
      if (seq !== this.loadSeq) return;
      this.clear(`Cannot show this result: ${err.message}`);
      this.els.title.textContent = item.title;
    }
  }
}

#!/usr/bin/env node
// End-to-end test of the web UI in a real browser (Debian's Chromium driven by playwright-core):
// starts `cellkiosk serve`, uploads 3 sample images and one corrupt PNG through the page's file input,
// waits for the segmentations, checks the file list (object counts, the corrupt file's error), opens the
// viewer (canvas pixels: image drawn, coloured outlines on top, toggling them off removes the colour),
// checks the result downloads and saves a full-page screenshot.
//
// Environment: CK_BIN (cellkiosk binary), CK_SOURCE_DIR (repo root; default: two levels up),
// CK_ARTIFACTS (screenshot + logs; default a temp dir), CK_CHROMIUM (default /usr/bin/chromium),
// CK_MOCK=1 (use tests/web/mock_server.mjs instead of CK_BIN: UI development only), CK_HEADED=1.
// Exit 0 on success; on failure one line "browser_test: FAIL: ..." on stderr and exit 1.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sourceDir = path.resolve(process.env.CK_SOURCE_DIR || path.join(here, '..', '..'));
const chromiumPath = process.env.CK_CHROMIUM || '/usr/bin/chromium';
const mock = process.env.CK_MOCK === '1';
const DEADLINE_S = Number(process.env.CK_WEB_DEADLINE_S || 180); // for the jobs to finish
const WATCHDOG_S = 280; // CTest TIMEOUT is 300: clean up ourselves before it kills us
const t0 = Date.now();
const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1);
const log = (...a) => console.log(`[${elapsed()}s]`, ...a);

class Fail extends Error {}
const fail = (msg) => {
  throw new Fail(msg);
};

let server = null;
let context = null;
let page = null;
let tmpRoot = null;
let cleaned = false;
let serverLog = null;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  try {
    if (context) await Promise.race([context.close(), new Promise((r) => setTimeout(r, 5000))]);
  } catch {
    /* browser already gone */
  }
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      server.kill('SIGTERM');
    }
    const killed = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 8000))]);
    if (!killed) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        server.kill('SIGKILL');
      }
    }
  }
  if (serverLog) serverLog.end();
  if (tmpRoot && process.env.CK_KEEP_TMP !== '1') fs.rmSync(tmpRoot, { recursive: true, force: true });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function lastLines(file, n = 3) {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-n).join(' | ');
  } catch {
    return '';
  }
}

async function startServer(artifacts) {
  const port = await freePort();
  const dataDir = path.join(tmpRoot, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const logFile = path.join(artifacts, 'browser_test_server.log');
  serverLog = fs.createWriteStream(logFile);
  let cmd;
  let args;
  if (mock) {
    cmd = process.execPath;
    args = [path.join(here, 'mock_server.mjs'), '--port', String(port), '--web', path.join(sourceDir, 'web')];
  } else {
    cmd = process.env.CK_BIN;
    args = ['serve', '--port', String(port), '--data', dataDir, '--web', path.join(sourceDir, 'web')];
  }
  log(`starting ${path.basename(cmd)} ${args.join(' ')}`);
  server = spawn(cmd, args, { cwd: sourceDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.pipe(serverLog, { end: false });
  server.stderr.pipe(serverLog, { end: false });
  let spawnError = null;
  server.on('error', (e) => {
    spawnError = e;
  });
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 90_000; // the consumers load the model first
  for (;;) {
    if (spawnError) fail(`cannot start the server ${cmd}: ${spawnError.message}`);
    if (server.exitCode !== null || server.signalCode !== null) {
      await sleep(200);
      fail(`the server exited (${server.exitCode ?? server.signalCode}) before it was ready: ${lastLines(logFile)}`);
    }
    try {
      const r = await fetch(`${base}/api/health-check`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      /* not yet listening */
    }
    if (Date.now() > until) fail(`the server did not answer /api/health-check within 90 s: ${lastLines(logFile)}`);
    await sleep(250);
  }
  log(`server ready at ${base}`);
  return base;
}

/** A file that claims to be a PNG but is not decodable: the PNG signature, then garbage. */
function makeCorruptPng(dir) {
  const f = path.join(dir, 'corrupt_image.png');
  const garbage = Buffer.alloc(3000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
  fs.writeFileSync(f, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR'), garbage]));
  return f;
}

/** State of every file row, read from the page. */
const readRows = () =>
  page.$$eval('[data-testid="file-row"]', (trs) =>
    trs.map((tr) => ({
      name: tr.dataset.name,
      status: tr.dataset.status,
      objects: tr.querySelector('[data-testid="objects"]')?.textContent.trim() || '',
      time: tr.querySelector('[data-testid="time"]')?.textContent.trim() || '',
      error: tr.querySelector('[data-testid="error"]')?.textContent.trim() || '',
      warning: tr.querySelector('[data-testid="warning"]')?.textContent.trim() || '',
    })),
  );

/** Pixel statistics of the viewer canvas. */
const canvasStats = () =>
  page.$eval('[data-testid="viewer-canvas"]', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    let coloured = 0;
    let min = 255;
    let max = 0;
    const n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) {
      const r = d[i];
      const g = d[i + 1];
      const b = d[i + 2];
      const hi = Math.max(r, g, b);
      const lo = Math.min(r, g, b);
      if (hi > 10) lit++;
      if (hi - lo > 60) coloured++;
      const y = (r + g + b) / 3;
      if (y < min) min = y;
      if (y > max) max = y;
    }
    return { w: c.width, h: c.height, pixels: n, lit, coloured, min, max };
  });

async function main() {
  // ---- prerequisites
  const require = createRequire(path.join(here, 'package.json'));
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    fail(`playwright-core is not installed in ${here}/node_modules: run scripts/install-deps.sh --tests (npm ci --prefix tests/web)`);
  }
  if (!fs.existsSync(chromiumPath)) fail(`${chromiumPath} is missing: run scripts/install-deps.sh --tests (installs Debian's chromium)`);
  if (!mock) {
    if (!process.env.CK_BIN) fail('CK_BIN is not set (path to the cellkiosk binary; CTest sets it)');
    if (!fs.existsSync(process.env.CK_BIN)) fail(`CK_BIN ${process.env.CK_BIN} does not exist: build the cellkiosk target`);
  }
  const sampleDir = path.join(sourceDir, 'data', 'samples', 'images');
  const samples = fs.existsSync(sampleDir) ? fs.readdirSync(sampleDir).filter((f) => /\.(png|tiff?)$/i.test(f)).sort().slice(0, 3) : [];
  if (samples.length < 3) fail(`need 3 sample images in ${sampleDir}, found ${samples.length}`);

  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-web-'));
  const artifacts = path.resolve(process.env.CK_ARTIFACTS || path.join(tmpRoot, 'artifacts'));
  fs.mkdirSync(artifacts, { recursive: true });
  const shot = path.join(artifacts, 'browser_test.png');
  fs.rmSync(shot, { force: true });

  const base = await startServer(artifacts);

  // ---- browser
  const userDataDir = path.join(tmpRoot, 'chromium-profile');
  const headed = process.env.CK_HEADED === '1';
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: !headed,
    args: [
      ...(headed ? [] : ['--headless']),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1600, height: 1000 },
    acceptDownloads: true,
    timeout: 60_000,
  });
  page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(`${base}/`, { waitUntil: 'load', timeout: 30_000 });
  const title = await page.title();
  if (!/cellkiosk/i.test(title)) fail(`GET / did not serve the web UI (title "${title}")`);
  await page.waitForSelector('[data-testid="server-state"][data-state="ok"]', { timeout: 15_000 }).catch(async () => {
    fail(`the page does not see the server as ready: "${await page.textContent('[data-testid="server-state"]')}"`);
  });
  log('page loaded, server ready');

  // ---- upload 3 images + 1 corrupt file through the file input, start
  const corrupt = makeCorruptPng(tmpRoot);
  const files = [...samples.map((f) => path.join(sampleDir, f)), corrupt];
  await page.setInputFiles('[data-testid="file-input"]', files);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="file-row"][data-status="queued"]').length === n, files.length, {
    timeout: 5000,
  });
  const startBtn = page.locator('[data-testid="start-button"]');
  if (await startBtn.isDisabled()) fail('the Start button is disabled with 4 files queued');
  await startBtn.click();
  log(`started ${files.length} files`);

  // ---- wait for the jobs
  const names = files.map((f) => path.basename(f));
  const corruptName = path.basename(corrupt);
  const seen = new Map(names.map((n) => [n, []])); // statuses observed per file
  const until = Date.now() + DEADLINE_S * 1000;
  let rows = [];
  for (;;) {
    rows = await readRows();
    for (const r of rows) {
      const s = seen.get(r.name);
      if (s && s[s.length - 1] !== r.status) s.push(r.status);
    }
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const n of names.slice(0, 3)) {
      const r = byName.get(n);
      if (r && r.status === 'failed') fail(`sample ${n} failed: ${r.error || '(no message shown)'}`);
    }
    const allDone = names.slice(0, 3).every((n) => byName.get(n)?.status === 'done');
    const c = byName.get(corruptName);
    const corruptDone = c && c.status === 'failed' && c.error;
    if (allDone && corruptDone) break;
    if (c && c.status === 'done') fail(`the corrupt file ${corruptName} was reported done (${c.objects} objects)`);
    if (Date.now() > until) {
      fail(`not finished after ${DEADLINE_S} s: ${rows.map((r) => `${r.name.slice(0, 12)}=${r.status}${r.error ? `(${r.error})` : ''}`).join(', ')}; server: ${lastLines(path.join(artifacts, 'browser_test_server.log'), 2)}`);
    }
    await sleep(300);
  }
  log('jobs finished:');
  for (const r of rows) log(`  ${r.name.slice(0, 24).padEnd(24)} ${r.status.padEnd(7)} objects=${r.objects || '-'} time=${r.time || '-'} ${r.error ? `error="${r.error}"` : ''} [${seen.get(r.name)?.join(' > ')}]`);

  // ---- the list
  for (const r of rows.filter((x) => x.status === 'done')) {
    const n = Number(r.objects);
    if (!(n > 0)) fail(`done row ${r.name} shows object count "${r.objects}" (want > 0)`);
    if (!r.time) fail(`done row ${r.name} shows no time`);
  }
  const bad = rows.find((r) => r.name === corruptName);
  if (!bad.error || bad.error.length < 3) fail(`the corrupt file's row shows no error message`);
  const errVisible = await page.locator(`[data-testid="file-row"][data-name="${corruptName}"] [data-testid="error"]`).isVisible();
  if (!errVisible) fail('the corrupt file\'s error message is not visible');

  // ---- the viewer
  const first = names[0];
  await page.locator(`[data-testid="file-row"][data-name="${first}"] [data-testid="file-name"]`).click();
  await page.waitForSelector('[data-testid="viewer-canvas"][data-ready="true"]', { timeout: 20_000 }).catch(async () => {
    fail(`the viewer did not show ${first}: "${await page.textContent('[data-testid="viewer-status"]')}"`);
  });
  await sleep(100);
  const on = await canvasStats();
  log(`viewer canvas ${on.w}x${on.h}: lit ${on.lit}, coloured ${on.coloured}, grey range ${on.min.toFixed(0)}..${on.max.toFixed(0)}`);
  if (on.lit < on.pixels * 0.01 || on.max - on.min < 20) fail(`the viewer canvas is blank (lit ${on.lit} of ${on.pixels} px, range ${on.min}..${on.max})`);
  if (on.coloured < 50) fail(`no outlines drawn on the viewer canvas (${on.coloured} coloured px)`);
  await page.locator('[data-testid="outlines-toggle"]').uncheck();
  const off = await canvasStats();
  if (off.coloured > on.coloured * 0.05) fail(`hiding the outlines left ${off.coloured} coloured px (of ${on.coloured})`);
  if (off.lit < on.pixels * 0.01) fail('hiding the outlines blanked the image');
  await page.locator('[data-testid="outlines-toggle"]').check();
  // zoom with the wheel, coordinates under the cursor
  const box = await page.locator('[data-testid="viewer-canvas"]').boundingBox();
  const zoom0 = await page.textContent('#zoom-level');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await sleep(100);
  const zoom1 = await page.textContent('#zoom-level');
  if (zoom0 === zoom1) fail(`wheel did not zoom (zoom stays ${zoom0})`);
  await page.mouse.move(box.x + box.width / 2 + 3, box.y + box.height / 2 + 2);
  const coords = await page.textContent('[data-testid="viewer-coords"]');
  if (!/x \d+, y \d+/.test(coords)) fail(`no pixel coordinates under the cursor ("${coords}")`);
  await page.locator('[data-testid="fit-button"]').click();
  const stats = await page.textContent('[data-testid="viewer-stats"]');
  if (!/\d+ objects/.test(stats)) fail(`the viewer shows no object count ("${stats}")`);

  // ---- downloads: the label TIFF, CSV and zip of the viewed file, through the page's own buttons
  const row = page.locator(`[data-testid="file-row"][data-name="${first}"]`);
  for (const [testid, check] of [
    ['download-labels', (b) => (b[0] === 0x49 && b[1] === 0x49) || (b[0] === 0x4d && b[1] === 0x4d)],
    ['download-csv', (b) => b.toString('utf8', 0, 64).includes(',')],
    ['download-zip', (b) => b[0] === 0x50 && b[1] === 0x4b],
  ]) {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), row.locator(`[data-testid="${testid}"]`).click()]);
    const p = await dl.path();
    const bytes = fs.readFileSync(p);
    if (!bytes.length || !check(bytes)) fail(`${testid}: downloaded ${dl.suggestedFilename()} (${bytes.length} B) is not the expected file`);
  }
  log('downloads ok (labels TIFF, CSV, zip)');

  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.45);
  await page.screenshot({ path: shot, fullPage: true });
  log(`screenshot ${shot}`);

  if (pageErrors.length) fail(`uncaught errors in the page: ${pageErrors.join(' | ')}`);
  const realConsoleErrors = consoleErrors.filter((m) => !/Failed to load resource/.test(m));
  if (realConsoleErrors.length) fail(`console errors in the page: ${realConsoleErrors.join(' | ')}`);
  console.log(`browser_test: PASS in ${elapsed()} s (3 images done, corrupt file failed with "${bad.error}")`);
}

const watchdog = setTimeout(async () => {
  console.error(`browser_test: FAIL: watchdog: the test ran longer than ${WATCHDOG_S} s`);
  await cleanup();
  process.exit(1);
}, WATCHDOG_S * 1000);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    console.error(`browser_test: FAIL: interrupted by ${sig}`);
    await cleanup();
    process.exit(1);
  });
}

let code = 0;
try {
  await main();
} catch (e) {
  code = 1;
  if (page && process.env.CK_ARTIFACTS) {
    await page.screenshot({ path: path.join(process.env.CK_ARTIFACTS, 'browser_test_failure.png'), fullPage: true }).catch(() => {});
  }
  const msg = e instanceof Fail ? e.message : `${e.name}: ${String(e.message).split('\n')[0]}`;
  console.error(`browser_test: FAIL: ${msg}`);
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
process.exit(code);

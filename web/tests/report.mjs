// The HTML report in a real browser: Debian's chromium driven by playwright-core.
// Usage: node web/tests/report.mjs target/report.html
// Asserts that the SVG charts rendered (count, non-zero boxes, titles), that the page asks for
// nothing from the network, then saves full-page screenshots (screen and print media) under
// target/screenshots/ and prints the page to target/report.pdf. axe-core audits the page: a
// violation of impact "serious" or "critical" fails the test; the count of all is printed.
import { chromium } from 'playwright-core';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { audit } from './a11y.mjs';

const input = process.argv[2] ?? 'target/report.html';
const file = path.resolve(input);
const outDir = path.resolve(path.dirname(file));
const shots = path.join(outDir, 'screenshots');
mkdirSync(shots, { recursive: true });
const stem = path.basename(file, path.extname(file));
// Chart screenshots of an earlier, longer report would otherwise stay beside the new ones.
for (const old of readdirSync(shots)) {
  if (old.startsWith(`${stem}-chart-`)) rmSync(path.join(shots, old));
}

let failures = 0;
let passes = 0;
function check(ok, what) {
  if (ok) {
    passes++;
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const remote = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) remote.push(r.url());
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

  const charts = await page.$$eval('figure.chart > svg', (svgs) => svgs.map((s) => {
    const box = s.getBoundingClientRect();
    const title = s.querySelector('title')?.textContent ?? '';
    const texts = s.querySelectorAll('text').length;
    const shapes = s.querySelectorAll('rect, polyline, line, path, circle').length;
    return { width: box.width, height: box.height, title, texts, shapes };
  }));
  const sections = await page.$$eval('section[id^="scenario-"]', (s) => s.length);
  check(charts.length >= 3 + 4 * Math.max(1, sections), `${charts.length} charts for ${sections} scenario section(s)`);
  for (const [i, c] of charts.entries()) {
    check(c.width > 100 && c.height > 60, `chart ${i + 1} has a box ${Math.round(c.width)}×${Math.round(c.height)}`);
    check(c.title.length > 10, `chart ${i + 1} has a title: ${c.title}`);
    check(c.texts >= 3 && c.shapes >= 2, `chart ${i + 1} draws ${c.shapes} shapes and ${c.texts} texts`);
  }
  const html = await page.content();
  check(!/https?:\/\//i.test(html), 'the page holds no http(s) address');
  check(remote.length === 0, `no request left the file (${remote.join(', ') || 'none'})`);
  check(errors.length === 0, `no script errors (${errors.join('; ') || 'none'})`);
  const clauses = await page.$$eval('.clause', (c) => c.length);
  check(clauses > 0, `${clauses} clauses with their evidence`);
  // After the checks of the page's text: axe's own source is evaluated in the page.
  const blocking = await audit(page, path.basename(file));
  check(blocking.length === 0, `axe finds no serious or critical violation (${blocking.map((v) => v.id).join(', ') || 'none'})`);

  const screen = path.join(shots, `${stem}.png`);
  await page.screenshot({ path: screen, fullPage: true });
  // The first screen and each scenario's simulation, at a readable size.
  await page.screenshot({ path: path.join(shots, `${stem}-top.png`) });
  const figs = await page.$$('figure.chart');
  for (const [i, f] of figs.entries()) {
    await f.screenshot({ path: path.join(shots, `${stem}-chart-${String(i + 1).padStart(2, '0')}.png`) });
  }
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(shots, `${stem}-print.png`), fullPage: true });
  const pdf = path.join(outDir, `${stem}.pdf`);
  await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
  check(statSync(pdf).size > 10000, `PDF written: ${pdf} (${statSync(pdf).size} bytes)`);
  console.log(`screenshots in ${shots}`);
} finally {
  await browser.close();
}
console.log(`report-browser: ${passes} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);

// Renders a cocoon report.html in headless Debian chromium (playwright-core) and checks that
// it fits: at a 1,400 px wide window nothing overflows horizontally (wide tables scroll inside
// their own box), and every <img> decodes. Also checks the A4 print layout fits the page.
// Usage: node tests/browser/report.mjs REPORT.html SCREENSHOT_PREFIX
// Writes SCREENSHOT_PREFIX-first-screen.png (what a reader sees first) and
// SCREENSHOT_PREFIX-full.png (the whole page). Exit 0 when every check passes, 1 otherwise,
// 3 when chromium or playwright-core is missing (the caller decides whether that is a skip).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openChromium } from './chromium.mjs';

const [report, prefix] = process.argv.slice(2);
if (!report || !prefix) {
  console.error('usage: node report.mjs REPORT.html SCREENSHOT_PREFIX');
  process.exit(2);
}

const WIDTH = 1400;
const failures = [];
let browser;
try {
  browser = await openChromium({ width: WIDTH, height: 900 });
  const context = browser.context;
  const page = await context.newPage();
  // The report must be self-contained: any request beyond the file itself is a failure.
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) {
      failures.push(`external request: ${r.url()}`);
    }
  });
  await page.goto(pathToFileURL(resolve(report)).href, { waitUntil: 'load' });

  const layout = await page.evaluate(() => {
    const doc = document.documentElement;
    const inScrollBox = (el) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
      }
      return false;
    };
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if ((r.right > window.innerWidth + 0.5 || r.left < -0.5) && !inScrollBox(el)) {
        wide.push(`${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''} ` +
          `(${Math.round(r.left)}..${Math.round(r.right)} px)`);
      }
    }
    const images = [...document.images].map((img) => ({
      alt: img.alt, complete: img.complete, width: img.naturalWidth,
    }));
    return {
      scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide, images,
      tables: document.querySelectorAll('table').length,
    };
  });
  if (layout.scrollWidth > layout.clientWidth) {
    failures.push(`page overflows: scrollWidth ${layout.scrollWidth} > clientWidth ${layout.clientWidth}`);
  }
  for (const w of layout.wide.slice(0, 10)) failures.push(`wider than the ${WIDTH} px window: ${w}`);
  if (layout.images.length === 0) failures.push('no images in the report');
  for (const img of layout.images) {
    if (!img.complete || img.width === 0) failures.push(`image does not decode: ${img.alt}`);
  }
  await page.screenshot({ path: `${prefix}-first-screen.png` });
  await page.screenshot({ path: `${prefix}-full.png`, fullPage: true });

  // A4 print: the page at the printable width of A4 (210 mm - 2 x 14 mm margins at 96 dpi).
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: Math.floor((210 - 28) / 25.4 * 96), height: 1000 });
  const print = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  if (print.scrollWidth > print.clientWidth) {
    failures.push(`A4 print overflows: ${print.scrollWidth} > ${print.clientWidth} px`);
  }
  console.log(`report: ${layout.images.length} images decoded, ${layout.tables} tables, ` +
    `width ${layout.scrollWidth}/${layout.clientWidth} px at ${WIDTH}, ` +
    `print ${print.scrollWidth}/${print.clientWidth} px`);
} catch (e) {
  failures.push(`browser error: ${e.message}`);
} finally {
  if (browser) await browser.close();
}
for (const f of failures) console.error(`FAIL ${f}`);
process.exit(failures.length ? 1 : 0);

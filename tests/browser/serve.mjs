// Drives the `cocoon serve` page in headless Debian chromium (playwright-core), as a workshop
// leader would: load, pick a story, press play, move a slider, click a person, and check that
// the charts and the network canvases change as weeks pass. Any request to a host other than
// the server fails the test (the page must work with the network unplugged).
// Usage: node tests/browser/serve.mjs URL OUTDIR
// Writes OUTDIR/serve-first-screen.png and OUTDIR/serve-full.png. Exit 0 when every check
// passes, 1 otherwise, 3 when chromium or playwright-core is missing.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openChromium } from './chromium.mjs';

const [url, outdir] = process.argv.slice(2);
if (!url || !outdir) {
  console.error('usage: node serve.mjs URL OUTDIR');
  process.exit(2);
}
mkdirSync(outdir, { recursive: true });

const origin = new URL(url).origin;
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
let browser;
try {
  browser = await openChromium({ width: 1600, height: 1000 });
  const context = browser.context;
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) {
      failures.push(`request beyond the server: ${r.url()}`);
    }
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelectorAll('#story option').length >= 5);
  check(await page.locator('#controls input[type=range]').count() === 7, 'seven sliders');

  // Pick a story: the twins are built and week 0 is drawn.
  await page.selectOption('#story', 'community_centre');
  await page.waitForFunction(() => !document.querySelector('#play').disabled);
  await page.waitForFunction(() => /week 0/.test(document.querySelector('#clock').textContent));
  check(/community centre/i.test(await page.locator('#story-text').innerText()), 'story text shown');
  const snap = () => page.evaluate(() => ({
    hik: document.querySelector('#chart-hik').toDataURL(),
    ties: document.querySelector('#chart-ties').toDataURL(),
    base: document.querySelector('#net-base').toDataURL(),
    policy: document.querySelector('#net-policy').toDataURL(),
  }));
  await page.waitForTimeout(500);
  const before = await snap();

  // Play, then move a slider mid-run with the keyboard, as a teacher would with arrow keys.
  await page.selectOption('#speed', '20');
  await page.click('#play');
  await page.waitForFunction(() => {
    const m = /week (\d+)/.exec(document.querySelector('#clock').textContent);
    return m && Number(m[1]) >= 10;
  });
  const slider = page.locator('#ctl-bullying');
  const was = await slider.inputValue();
  await slider.focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => /takes effect from next week/.test(document.querySelector('#message').textContent));
  const now = await slider.inputValue();
  check(Number(now) > Number(was), `bullying slider moved (${was} -> ${now})`);
  await page.waitForFunction(() => {
    const m = /week (\d+)/.exec(document.querySelector('#clock').textContent);
    return m && Number(m[1]) >= 40;
  });
  await page.click('#pause');
  await page.waitForTimeout(1500);
  const after = await snap();
  check(after.hik !== before.hik, 'hikikomori chart changed');
  check(after.ties !== before.ties, 'bonding vs bridging chart changed');
  check(after.base !== before.base, 'network without the policy changed');
  check(after.policy !== before.policy, 'network with the policy changed');
  check(after.base !== after.policy, 'the twins look different');
  const summary = await page.locator('#summary-body').innerText();
  check(/After \d+ weeks/.test(summary), 'summary speaks of the weeks run');
  check(/Sliders moved during the run/.test(summary), 'summary says a slider moved mid-run');

  // Click people in the network until one's story opens.
  await page.locator('#net-policy').scrollIntoViewIfNeeded();
  const box = await page.locator('#net-policy').boundingBox();
  for (let k = 0; k < 80 && await page.locator('#agent').isHidden(); k++) {
    const fx = 0.2 + 0.6 * ((k * 0.618) % 1), fy = 0.2 + 0.6 * ((k * 0.382) % 1);
    await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
    await page.waitForTimeout(60);
  }
  const story = (await page.locator('#agent').isVisible()) ? await page.locator('#agent').innerText() : '';
  check(/Person \d+/.test(story) && /Attachment/.test(story) && /Weeks at home/.test(story), 'a click opens a person\'s story');

  const dl = await page.locator('#dl-policy').getAttribute('href');
  const toml = await page.evaluate(async (href) => (await fetch(href)).text(), dl);
  check(/ticks = \d+/.test(toml) && /\[policy\]/.test(toml), 'the scenario downloads as TOML');

  await page.screenshot({ path: join(outdir, 'serve-first-screen.png') });
  await page.screenshot({ path: join(outdir, 'serve-full.png'), fullPage: true });
  check(errors.length === 0, `no page errors${errors.length ? ': ' + errors.join(' | ') : ''}`);
} catch (e) {
  failures.push(`error: ${e && e.stack ? e.stack : e}`);
} finally {
  if (browser) await browser.close();
}
for (const f of failures) console.error(`FAIL ${f}`);
process.exit(failures.length ? 1 : 0);

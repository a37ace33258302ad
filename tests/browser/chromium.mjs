// Shared by the browser tests: Debian's chromium through playwright-core, launched headless
// with a fresh profile and the flags this machine's closed network needs (no background
// networking, component updates or sync). Exits 3 when chromium or playwright-core is missing,
// so the Rust caller can decide whether that is a skip (outside CI) or a failure (in CI).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';

// Opens a browser context with the given viewport; `close()` also removes the profile.
export async function openChromium(viewport) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    console.error('playwright-core is not installed (npm ci --prefix tests/browser)');
    process.exit(3);
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} is missing (apt-get install chromium)`);
    process.exit(3);
  }
  const profile = mkdtempSync(join(tmpdir(), 'cocoon-chromium-'));
  const remove = () => rmSync(profile, { recursive: true, force: true });
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
  } catch (e) {
    remove();
    throw e;
  }
  const close = async () => {
    await context.close().catch(() => {});
    remove();
  };
  return { context, close };
}

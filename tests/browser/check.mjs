// Opens an HTML file in Debian's Chromium (headless, through playwright-core:
// no browser download), runs axe-core on it, optionally saves a screenshot,
// and prints one JSON line: { "violations": [...], "passes": N }.
//
//   node check.mjs PAGE.html [SCREENSHOT.png]
//
// Exit 0: no violation; 1: violations (listed in the JSON); 2: the check
// itself could not run (missing browser, page not loading…).
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [page_path, screenshot] = process.argv.slice(2);
if (!page_path) {
  console.error('usage: node check.mjs PAGE.html [SCREENSHOT.png]');
  process.exit(2);
}
const executablePath = process.env.BOARDPACK_CHROMIUM || '/usr/bin/chromium';
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const profile = mkdtempSync(join(tmpdir(), 'boardpack-chromium-'));

let browser;
try {
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1000, height: 800 },
    // Nothing may leave the machine: a page that asks for an external asset
    // fails the check below instead of loading it.
    offline: true,
  });
  const page = browser.pages()[0] || (await browser.newPage());
  const external = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) external.push(r.url());
  });
  await page.goto(pathToFileURL(resolve(page_path)).href, { waitUntil: 'load' });
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return {
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')),
      })),
      passes: r.passes.length,
    };
  });
  // The page itself must not have asked for anything (axe is injected).
  result.external_requests = external;
  if (screenshot) {
    await page.screenshot({ path: screenshot, fullPage: false });
  }
  console.log(JSON.stringify(result));
  process.exitCode = result.violations.length === 0 && external.length === 0 ? 0 : 1;
} catch (e) {
  console.error(`browser check failed: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 2;
} finally {
  if (browser) await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

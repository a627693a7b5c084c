// What every browser test shares: the settings scripts/browser-test passes, a clerk's browser
// (headless Chromium as the clerks' Japanese Edge at their VDI screen size, watched for
// Content-Security-Policy violations and checked by axe-core on every page it loads),
// screenshots, and steps that build on each other.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { watchCsp } from './csp.mjs';
import { watchAccessibility } from './axe.mjs';

/** A setting scripts/browser-test passes in the environment. */
export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests with scripts/browser-test`);
  return value;
}

export const BASE_URL = required('BASE_URL');
export const ADMIN_LOGIN = required('ADMIN_LOGIN');
export const ADMIN_PASSWORD = required('ADMIN_PASSWORD');
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || path.resolve('.cache/screenshots');
// What the page looked like when a step failed; never in the manual's folder.
const FAILURE_DIR = fileURLToPath(new URL('../../.cache/browser-failures/', import.meta.url));

/**
 * Starts Chromium, once more if the first process dies before it answers (it has crashed at
 * start-up with SIGSEGV on a loaded machine, before any page was open): that is the test
 * machine failing, not the console, and a second start tells the two apart.
 */
async function launch(options) {
  try {
    return await chromium.launch(options);
  } catch (error) {
    if (!/has been closed|exitCode=null, signal=SIG/.test(String(error.message))) throw error;
    console.error(`Chromium died while starting; starting it once more: ${error.message.split('\n')[0]}`);
    return chromium.launch(options);
  }
}

/**
 * Opens a clerk's browser for test `t` (closed when it ends): `page` to drive, and
 * `cspViolations`, the Content-Security-Policy violations of every page it opens. Every page
 * loaded is checked with axe-core, and `t` fails at its end on any serious or critical
 * accessibility violation, whatever the test itself asserts.
 */
export async function clerkBrowser(t, { viewport = { width: 1280, height: 720 } } = {}) {
  // launch() starts Chromium with a fresh temporary profile of its own and removes it on close.
  // The flags keep it off the network: this machine refuses every outside connection.
  const browser = await launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--lang=ja-JP',
    ],
    // The clerks' Edge is Japanese: with these (and Debian's chromium-l10n) date fields read
    // 2026/11/01 in the screenshots, as on their screens. --lang alone is not enough on Linux.
    env: { ...process.env, LANG: 'ja_JP.UTF-8', LANGUAGE: 'ja' },
  });
  const context = await browser.newContext({
    viewport,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
  });
  context.setDefaultTimeout(15_000);
  const cspViolations = watchCsp(context);
  const accessibility = watchAccessibility(context);
  t.after(async () => {
    await accessibility.settled();
    await browser.close();
    assert.deepEqual(accessibility.violations, [], 'axe-core: serious or critical accessibility violations');
  });
  const page = await context.newPage();
  return { context, page, cspViolations };
}

/**
 * Steps of test `t` that build on each other: once one fails, the later ones are skipped
 * instead of failing for the same reason, and the page as it was is kept as
 * `.cache/browser-failures/<prefix><step>.png`.
 */
export function steps(t, page, prefix = '') {
  let failed = false;
  return async (name, fn) => {
    if (failed) return t.test(name, { skip: 'an earlier step failed' });
    return t.test(name, async () => {
      try {
        await fn();
      } catch (e) {
        failed = true;
        mkdirSync(FAILURE_DIR, { recursive: true });
        const shot = path.join(FAILURE_DIR, `${prefix}${name.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 60)}.png`);
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
        t.diagnostic(`the page when this step failed: ${shot} (${page.url()})`);
        throw e;
      }
    });
  };
}

/** Saves what the page shows as `name` in the screenshot folder (the manual's, when updating). */
export async function screenshot(page, name, { fullPage = false } = {}) {
  assert.ok(name.endsWith('.webp'), `${name}: the manual's pictures are WebP`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Lossy WebP through Chromium's own encoder: the console binary embeds the manual's pictures,
  // and as PNG they were 5.9 MB of its Lambda package; at quality 80 text stays sharp at 1×.
  const cdp = await page.context().newCDPSession(page);
  try {
    let clip;
    if (fullPage) {
      const { cssContentSize } = await cdp.send('Page.getLayoutMetrics');
      clip = { x: 0, y: 0, width: cssContentSize.width, height: cssContentSize.height, scale: 1 };
    }
    const { data } = await cdp.send('Page.captureScreenshot', {
      format: 'webp',
      quality: 80,
      captureBeyondViewport: fullPage,
      ...(clip ? { clip } : {}),
    });
    writeFileSync(path.join(SCREENSHOT_DIR, name), Buffer.from(data, 'base64'));
  } finally {
    await cdp.detach();
  }
}

/**
 * Presses `button` on a confirmation page (the console asks before an action that cannot be
 * undone) and waits for the page the action leads to.
 */
export async function confirmAction(page, button) {
  const form = page.locator('main form').filter({ has: page.locator('input[name="confirmed"]') });
  await Promise.all([page.waitForNavigation(), form.getByRole('button', { name: button, exact: true }).click()]);
}

/** A JSON call to the local run (the simulator's API, the LIFF APIs) that must succeed. */
export async function api(method, urlPath, body) {
  const response = await fetch(`${BASE_URL}${urlPath}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(response.ok, `${method} ${urlPath}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

// The pages under their Content-Security-Policy, in headless Chromium: the staff console, the
// LINE simulator (its script, Leaflet's map) and the LIFF registration form each still work,
// with the security headers on every page and no violation reported in the browser's console.
//
// Run by scripts/browser-test after the other browser tests, on the same local run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD } from './lib/clerk.mjs';

/** The headers every page must carry, and the start of its policy. */
function assertHeaders(response, policyStart) {
  const headers = response.headers();
  const where = response.url();
  assert.ok(headers['content-security-policy'].startsWith(policyStart), `${where}: ${headers['content-security-policy']}`);
  assert.doesNotMatch(headers['content-security-policy'], /unsafe-inline/, where);
  assert.match(headers['content-security-policy'], /frame-ancestors 'none'/, where);
  assert.equal(headers['x-content-type-options'], 'nosniff', where);
  assert.ok(headers['referrer-policy'], where);
  assert.equal(headers['cache-control'], 'no-store', where);
}

test('the console, the simulator and the LIFF form under their Content-Security-Policy', { timeout: 180_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);

  const step = steps(t, page, 'security-');

  await step('the console signs in and draws its pages with their stylesheets', async () => {
    assertHeaders(await page.goto(`${BASE_URL}/admin/login`), "default-src 'self'; script-src 'self'");
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    for (const path of ['/admin', '/admin/segments', '/admin/richmenus', '/admin/emergency', '/admin/garbage',
      '/admin/garbage/notices', '/admin/usage', '/admin/staff', '/admin/roles', '/admin/audit', '/admin/account',
      '/admin/deliveries', '/admin/manual/README']) {
      assertHeaders(await page.goto(`${BASE_URL}${path}`), "default-src 'self'; script-src 'self'");
      // The stylesheet applied: the header is laid out by console.css, not the browser's default.
      const display = await page.locator('header.top').evaluate((h) => getComputedStyle(h).display);
      assert.equal(display, 'flex', `${path}: console.css applied`);
    }
  });

  let liffLink;
  await step('the simulator runs its script and the map, and a citizen follows the account', async () => {
    assertHeaders(await page.goto(`${BASE_URL}/simulator`), "default-src 'self'; script-src 'self'");
    await page.locator('.leaflet-container').waitFor();
    assert.ok(await page.evaluate(() => typeof window.L === 'object'), 'Leaflet ran');
    await page.getByLabel('新しい市民の名前').fill('西津 次郎');
    await page.getByRole('button', { name: '市民を追加' }).click();
    await page.getByRole('status').filter({ hasText: '西津 次郎 さんを追加しました' }).waitFor();
    await page.getByRole('button', { name: '友だち追加' }).click();
    await page.locator('.bubble.from-bot').first().waitFor();
    liffLink = await page.locator('#liff-registration').getAttribute('href');
    assert.match(liffLink, /^\/simulator\/liff\/registration\?userId=U[0-9a-f]{32}$/);
  });

  await step('the LIFF registration form loads the questions and saves an answer', async () => {
    const response = await page.goto(`${BASE_URL}${liffLink}`);
    assert.match(page.url(), /\/liff\/registration\?id_token=/);
    assertHeaders(response, "default-src 'self'; script-src 'self' https://static.line-scdn.net");
    assert.equal(response.headers()['referrer-policy'], 'no-referrer');
    const first = page.locator('#fields fieldset').first();
    await first.waitFor();
    await first.locator('input').first().check();
    await page.getByRole('button', { name: '保存する' }).click();
    await page.locator('#status').filter({ hasText: '保存しました。' }).waitFor();
    // The stylesheet applied: buttons take the full width on the phone.
    const width = await page.getByRole('button', { name: '保存する' }).evaluate((b) => getComputedStyle(b).width);
    const body = await page.locator('#registration').evaluate((f) => getComputedStyle(f).width);
    assert.equal(width, body);
  });

  await step('no page broke the Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

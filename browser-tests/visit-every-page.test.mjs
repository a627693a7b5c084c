// Every page of the console, the LIFF form and the simulator, checked by axe-core: the staff
// console is walked from its home page by following every link the administrator sees, after
// the other browser tests filled it (the file's name keeps it last); the LINE simulator and a
// citizen's LIFF registration form are opened at phone size. Any serious or critical violation
// fails the test, listed page by page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD } from './lib/clerk.mjs';
import { accessibilityViolations } from './lib/axe.mjs';

// Links that are not pages to read (files the pages use); downloads are told by their answer.
const NOT_A_PAGE = /\/static\/|\.(png|jpe?g|svg|js|css)$/;
// Pages of one kind (a delivery, a staff member, a month of the calendar…) differ only in their
// data: a few of each kind are enough.
const SAME_KIND_LIMIT = 3;

/** The kind of a console path: its numbers and ids replaced, its query's values dropped. */
function kindOf(url) {
  const path = url.pathname.replace(/\/[^/]*\d[^/]*/g, '/:id');
  const keys = [...url.searchParams.keys()].sort().join('&');
  return `${path}?${keys}`;
}

test('every page passes axe-core', { timeout: 600_000 }, async (t) => {
  const { page } = await clerkBrowser(t);
  const step = steps(t, page, 'every-page-');
  const problems = [];

  await step('every console page the administrator can reach', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);

    const queue = [`${BASE_URL}/admin`];
    const seen = new Set(queue);
    const kinds = new Map();
    let visited = 0;
    while (queue.length > 0) {
      const href = queue.shift();
      // Asked first without the browser, which would start a download for a CSV or a file.
      const answer = await page.request.get(href);
      const headers = answer.headers();
      if (!(headers['content-type'] || '').startsWith('text/html') || /attachment/.test(headers['content-disposition'] || '')) continue;
      await page.goto(href);
      visited += 1;
      problems.push(...(await accessibilityViolations(page)));
      const links = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.href));
      for (const link of links) {
        const url = new URL(link);
        url.hash = '';
        if (url.origin !== new URL(BASE_URL).origin || !url.pathname.startsWith('/admin')) continue;
        if (NOT_A_PAGE.test(url.pathname) || seen.has(url.href)) continue;
        seen.add(url.href);
        const kind = kindOf(url);
        if ((kinds.get(kind) || 0) >= SAME_KIND_LIMIT) continue;
        kinds.set(kind, (kinds.get(kind) || 0) + 1);
        queue.push(url.href);
      }
    }
    t.diagnostic(`${visited} console pages checked`);
    // The walk really went through the console, not just its home page.
    assert.ok(visited >= 20, `only ${visited} console pages were reached`);
  });

  await step('the simulator and a citizen’s LIFF registration form at phone size', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${BASE_URL}/simulator`);
    await page.getByLabel('新しい市民の名前').fill('阿納 花子');
    await page.getByRole('button', { name: '市民を追加' }).click();
    await page.getByRole('status').filter({ hasText: '阿納 花子 さんを追加しました' }).waitFor();
    await page.getByRole('button', { name: '友だち追加' }).click();
    await page.locator('.bubble.from-bot').first().waitFor();
    problems.push(...(await accessibilityViolations(page)));

    const liff = await page.locator('#liff-registration').getAttribute('href');
    await page.goto(`${BASE_URL}${liff}`);
    await page.locator('#fields fieldset').first().waitFor();
    problems.push(...(await accessibilityViolations(page)));
  });

  await step('no serious or critical violation on any of them', async () => {
    assert.deepEqual([...new Set(problems)], []);
  });
});

// 友だち集め as a clerk uses it: a basic ID without its 「@」 refused with what was typed kept,
// then saved; a place added, its QR shown with the link it opens; the poster's preview shown and
// its PDF downloaded; last month's usage report downloaded as a PDF from 利用状況レポート.
// Screenshots: friend-kit (the page), friend-kit-poster (the A4 preview).
// The place carries this run's mark and is removed at the end, so runs on the same data do not
// add up to the limit of places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot } from './lib/clerk.mjs';

const RUN = randomBytes(2).toString('hex');
const PLACE = `広報おばま（${RUN}）`;

test('友だち集め: the clerk sets up the kit and prints a poster', { timeout: 180_000 }, async (t) => {
  const { page } = await clerkBrowser(t);
  const step = steps(t, page, 'friend-kit-');

  await step('a basic ID without @ is refused and what was typed is kept', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '友だち集め', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/friend-kit`);
    await page.getByLabel('ベーシックID').fill('123abcde');
    await page.getByLabel('担当課').fill('企画部 総合政策課');
    await page.getByLabel('電話番号').fill('0770-53-1111');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.locator('#error-summary').waitFor();
    assert.match(await page.locator('#error-summary').innerText(), /「@」で始まる/);
    assert.equal(await page.getByLabel('担当課').inputValue(), '企画部 総合政策課');
    await page.getByLabel('ベーシックID').fill('@123abcde');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/friend-kit`);
    assert.match(await page.getByRole('status').first().innerText(), /保存しました/);
  });

  await step('a place gets its own QR code', async () => {
    await page.getByLabel('配る場所を追加').fill(PLACE);
    await page.getByRole('button', { name: '追加', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/friend-kit`);
    const row = page.getByRole('row').filter({ hasText: PLACE });
    assert.match(await row.innerText(), new RegExp(`${BASE_URL}/liff/join/\\d+`));
    assert.equal(await row.locator('.qr svg').count(), 1);
    await screenshot(page, 'friend-kit.webp', { fullPage: true });
  });

  await step('the poster is previewed and downloaded as a PDF', async () => {
    const row = page.getByRole('row').filter({ hasText: PLACE });
    const pdfHref = await row.getByRole('link', { name: 'ポスター（A4・PDF）' }).getAttribute('href');
    await row.getByRole('link', { name: '見本を表示' }).click();
    await page.locator('.poster-preview svg').waitFor();
    const preview = await page.locator('.poster-preview').textContent();
    assert.match(preview, /小浜市/);
    assert.match(preview, /@123abcde/);
    assert.match(preview, /企画部 総合政策課/);
    await screenshot(page, 'friend-kit-poster.webp', { fullPage: true });
    const pdf = await page.request.get(`${BASE_URL}${pdfHref}`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  });

  await step('last month\'s report is made as a PDF from the usage report', async () => {
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '利用状況レポート', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/usage`);
    const months = await page.getByLabel('月', { exact: true }).locator('option').allInnerTexts();
    assert.equal(months.length, 12, `${months}`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'PDFを作成' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^usage-\d{4}-\d{2}\.pdf$/);
    const saved = await download.path();
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(saved).subarray(0, 5).toString(), '%PDF-');
    await page.getByRole('button', { name: '地区別のCSVを作成' }).click();
    await page.waitForURL(/\/admin\/exports$/);
    assert.match(await page.getByRole('row').filter({ hasText: '利用状況' }).first().innerText(), /地区別/);
  });

  await step('the place is removed', async () => {
    await page.goto(`${BASE_URL}/admin/friend-kit`);
    await page.getByRole('button', { name: `${PLACE}を削除` }).click();
    await page.waitForURL(`${BASE_URL}/admin/friend-kit`);
    assert.match(await page.getByRole('status').first().innerText(), /削除しました/);
  });
});

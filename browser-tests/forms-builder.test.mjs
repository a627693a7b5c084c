// フォーム: the clerk builds a reservation form in the console the way a clerk would, at the
// clerks' VDI screen size: the settings, a single choice (会場), a number shown only when 会場 is
// 本庁 (a condition), a consent, and a reservation slot, each added with the builder's buttons
// (server-rendered, no script needed); saves it, looks at it in the phone-frame preview, and
// publishes it after the confirmation. Screenshots: forms-builder, forms-preview, forms-list.
//
// Run by scripts/browser-test after console.test.mjs, against the same local run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot, confirmAction } from './lib/clerk.mjs';

const RUN = randomBytes(2).toString('hex');
const TITLE = `健診予約 ${RUN}`;

/** Presses a button of the builder that draws the page again, and waits for it. */
async function press(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);
}

test('forms: the clerk builds a reservation form, previews it on a phone and publishes it', { timeout: 300_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  const step = steps(t, page, 'forms-builder-');
  let formPath;

  await step('the menu opens the forms and a new form is started', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: /^フォーム/ }).click();
    await page.waitForURL(`${BASE_URL}/admin/forms`);
    await page.getByRole('link', { name: '新しいフォーム' }).click();
    await page.waitForURL(`${BASE_URL}/admin/forms/new`);
  });

  await step('fields of several kinds, a condition and a slot are added without losing the settings', async () => {
    await page.locator('#f-title').fill(TITLE);
    await page.locator('#f-description').fill('特定健診の会場と日時を予約します。');
    await page.locator('#f-kind').selectOption('reservation');
    await page.locator('#f-receipt_message').fill('ご予約を受け付けました。当日は受診券をお持ちください。');

    await page.locator('#f-new_kind').selectOption('single_choice');
    await press(page, '追加');
    await page.locator('#f-f0-label').fill('会場');
    await page.locator('#f-f0-choices').fill('本庁\n分室');
    await page.locator('#f-f0-required').check();

    await page.locator('#f-new_kind').selectOption('number');
    await press(page, '追加');
    await page.locator('#f-f1-label').fill('同伴する人数');
    await page.locator('#f-f1-min').fill('0');
    await page.locator('#f-f1-max').fill('3');
    await page.locator('#f-f1-cond_field').selectOption('q1');
    await page.locator('#f-f1-cond_value').fill('本庁');

    await page.locator('#f-new_kind').selectOption('consent');
    await press(page, '追加');
    await page.locator('#f-f2-label').fill('注意事項への同意');
    await page.locator('#f-f2-text').fill('当日は受診券と保険証をお持ちください。');
    await page.locator('#f-f2-required').check();

    await page.locator('#f-new_slot-date').fill('2099-12-10');
    await page.locator('#f-new_slot-start').fill('10:00');
    await page.locator('#f-new_slot-end').fill('10:30');
    await page.locator('#f-new_slot-capacity').fill('5');
    await press(page, '枠を追加');

    assert.equal(await page.locator('#f-title').inputValue(), TITLE, 'the settings stay as typed');
    assert.equal(await page.locator('#f-f0-label').inputValue(), '会場');
    assert.equal(await page.locator('#f-s0-date').inputValue(), '2099-12-10');
    assert.equal(await page.locator('#form-fields > li').count(), 3);
    await screenshot(page, 'forms-builder.webp', { fullPage: true });
  });

  await step('the form is saved as a draft', async () => {
    await Promise.all([page.waitForNavigation(), page.locator('#save-form').click()]);
    assert.match(page.url(), /\/admin\/forms\/[0-9a-f]{32}$/);
    formPath = new URL(page.url()).pathname;
    assert.match(await page.locator('.flash.ok').innerText(), /下書きとして保存しました/);
    assert.equal(await page.locator('#form-status').innerText(), '下書き');
    assert.match(await page.locator('#citizens-link').inputValue(), /\/liff\/forms\/[0-9a-f]{32}$/);
  });

  await step('the preview shows the citizen\'s page in a phone frame', async () => {
    await page.getByRole('link', { name: 'スマートフォンでの表示を確認' }).click();
    await page.waitForURL(`${BASE_URL}${formPath}/preview`);
    const phone = page.locator('#phone-preview');
    const box = await phone.boundingBox();
    assert.equal(Math.round(box.width), 390);
    const text = await phone.innerText();
    assert.match(text, /会場/);
    assert.match(text, /「会場」が「本庁」のときに表示/);
    assert.match(text, /2099年12月10日/);
    await screenshot(page, 'forms-preview.webp', { fullPage: true });
  });

  await step('publishing asks first, then the form takes answers', async () => {
    await page.goto(`${BASE_URL}${formPath}`);
    await Promise.all([page.waitForNavigation(), page.locator('#form-state').getByRole('button', { name: '公開する' }).click()]);
    assert.match(await page.locator('main').innerText(), /まだ実行していません/);
    await confirmAction(page, 'フォームを公開する');
    assert.equal(await page.locator('#form-status').innerText(), '公開中');
  });

  await step('the list shows the published form', async () => {
    await page.goto(`${BASE_URL}/admin/forms`);
    const row = page.locator('#forms tbody tr').filter({ hasText: TITLE });
    assert.match(await row.innerText(), /予約\s+公開中/);
    await screenshot(page, 'forms-list.webp');
  });

  assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violations');
});

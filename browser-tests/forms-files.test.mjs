// 写真・ファイルの項目: a photo travels from the builder to the citizen's phone and back to the
// clerk. The clerk builds and publishes a form with a required photo field (JPEG・PNG, 5 MB) and
// a short text; a simulator citizen opens it in LIFF on a phone (390×844): sent without the
// photo, the error is under the photo field; a small JPEG (drawn by the browser's own canvas, so
// it is a real JPEG the server can read by its content) is chosen, the page says it is sending
// and holds 確認する until the presigned PUT to the local object store is done, then names the
// attached file; the confirmation names it, sending gives the receipt. The clerk opens the answer
// and the photo's thumbnail loads through its short link. axe on every screen, no CSP violation.
//
// Run by scripts/browser-test after console.test.mjs, against the same local run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, confirmAction, api } from './lib/clerk.mjs';
import { accessibilityViolations } from './lib/axe.mjs';
import { watchCsp } from './lib/csp.mjs';

const RUN = randomBytes(2).toString('hex');
const TITLE = `道路の損傷の通報 ${RUN}`;
const PHOTO_LABEL = '損傷の写真';
const PLACE_LABEL = '場所';
const PLACE = `小浜市大手町 ${RUN}`;
const FILE_NAME = `douro-${RUN}.jpg`;
const RECEIPT = /^F\d{4}-\d{4}$/;

/** A 64×48 JPEG as the citizen's camera would give it, encoded by the browser of `page`. */
async function jpegPhoto(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const g = canvas.getContext('2d');
    g.fillStyle = '#4a7a3a';
    g.fillRect(0, 0, 64, 48);
    g.fillStyle = '#777777';
    g.fillRect(0, 28, 64, 20);
    return canvas.toDataURL('image/jpeg', 0.9);
  });
  assert.match(dataUrl, /^data:image\/jpeg;base64,/);
  const buffer = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
  // SOI … EOI: a whole JPEG, not a PNG the canvas fell back to.
  assert.deepEqual([...buffer.subarray(0, 2)], [0xff, 0xd8]);
  assert.deepEqual([...buffer.subarray(-2)], [0xff, 0xd9]);
  return buffer;
}

test('forms: a photo field, built in the console, answered in LIFF, seen by the clerk', { timeout: 240_000 }, async (t) => {
  const { context, page, cspViolations } = await clerkBrowser(t);
  const step = steps(t, page, 'forms-files-');
  const browser = context.browser();
  let formPath;
  let userId;
  let phoneContext;
  let phone;
  let phoneViolations = [];
  let photoId;
  let receipt;
  let photo;
  t.after(async () => { if (phoneContext) await phoneContext.close(); });

  const press = async (name) =>
    Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);

  await step('the clerk builds and publishes a form with a required photo field and a short text', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.goto(`${BASE_URL}/admin/forms/new`);
    await page.locator('#f-title').fill(TITLE);
    await page.locator('#f-new_kind').selectOption('short_text');
    await press('追加');
    await page.locator('#f-f0-label').fill(PLACE_LABEL);
    await page.locator('#f-new_kind').selectOption('file');
    await press('追加');
    await page.locator('#f-f1-label').fill(PHOTO_LABEL);
    // A new photo field accepts JPEG and PNG; the clerk lowers the size to 5 MB.
    assert.ok(await page.locator('#f-f1-file_types-jpeg').isChecked(), 'JPEG by default');
    assert.ok(await page.locator('#f-f1-file_types-png').isChecked(), 'PNG by default');
    await page.locator('#f-f1-max_mb').fill('5');
    await page.locator('#f-f1-max_files').fill('1');
    await page.locator('#f-f1-required').check();
    await Promise.all([page.waitForNavigation(), page.locator('#save-form').click()]);
    formPath = new URL(page.url()).pathname;
    assert.match(formPath, /^\/admin\/forms\/[0-9a-f]{32}$/);
    // What was saved reads back as built.
    assert.equal(await page.locator('#f-f1-label').inputValue(), PHOTO_LABEL);
    assert.equal(await page.locator('#f-f1-max_mb').inputValue(), '5');
    assert.ok(await page.locator('#f-f1-required').isChecked());
    await Promise.all([page.waitForNavigation(), page.locator('#form-state').getByRole('button', { name: '公開する' }).click()]);
    await confirmAction(page, 'フォームを公開する');
    assert.equal(await page.locator('#form-status').innerText(), '公開中');
  });

  await step('a citizen opens it in LIFF on a phone; the photo field states its limits', async () => {
    const citizen = await api('POST', '/simulator/api/citizens', { name: `写真 送子${RUN}` });
    userId = citizen.userId;
    assert.equal((await api('POST', '/simulator/api/events', { userId, kind: 'follow' })).webhookStatus, 200);
    phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    phoneContext.setDefaultTimeout(15_000);
    phoneViolations = watchCsp(phoneContext);
    phone = await phoneContext.newPage();
    await phone.goto(`${BASE_URL}/simulator/liff/forms?userId=${userId}`);
    await phone.getByRole('link', { name: TITLE }).click();
    const picker = phone.getByLabel(`${PHOTO_LABEL}（必須）`, { exact: true });
    await picker.waitFor();
    photoId = (await picker.getAttribute('id')).replace(/^f-/, '');
    assert.equal(await picker.getAttribute('type'), 'file');
    assert.equal(await picker.getAttribute('accept'), 'image/jpeg,image/png');
    assert.equal(await picker.getAttribute('aria-required'), 'true');
    assert.equal(await phone.locator(`#limits-${photoId}`).innerText(), 'JPEG・PNG、1つ5MBまで');
    assert.deepEqual(await accessibilityViolations(phone), []);
  });

  await step('sent without the photo, the error is under the photo field', async () => {
    await phone.getByLabel(new RegExp(`^${PLACE_LABEL}`)).fill(PLACE);
    await phone.getByRole('button', { name: '確認する' }).click();
    const error = phone.locator(`#err-${photoId}`);
    await error.waitFor({ state: 'visible' });
    assert.equal(await error.innerText(), '入力してください。');
    const picker = phone.locator(`#f-${photoId}`);
    assert.equal(await picker.getAttribute('aria-invalid'), 'true');
    assert.match(await picker.getAttribute('aria-describedby'), new RegExp(`err-${photoId}`));
    assert.equal(await phone.evaluate(() => document.activeElement.id), `f-${photoId}`);
    assert.ok(await phone.locator('#confirm').isHidden(), 'no confirmation without the photo');
    assert.deepEqual(await accessibilityViolations(phone), []);
  });

  await step('a small JPEG is chosen: the page says it is sending, then names the attached file', async () => {
    photo = await jpegPhoto(phone);
    // The presigned PUT is held until the page has been seen saying so, so that the sending
    // state is checked for sure, not raced.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    let put = null;
    // The local run serves presigned object URLs on its own origin, under /_objects/.
    await phone.route('**/_objects/**', async (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      put = { url: route.request().url(), type: route.request().headers()['content-type'], bytes: route.request().postDataBuffer()?.length };
      await held;
      return route.continue();
    });
    await phone.locator(`#f-${photoId}`).setInputFiles({ name: FILE_NAME, mimeType: 'image/jpeg', buffer: photo });
    const state = phone.locator(`#upload-${photoId}`);
    await state.filter({ hasText: `${FILE_NAME} を送信しています` }).waitFor();
    assert.ok(await phone.getByRole('button', { name: '確認する' }).isDisabled(), '確認する waits for the upload');
    assert.ok(await phone.locator(`#f-${photoId}`).isDisabled(), 'no second choice while sending');
    release();
    await state.filter({ hasText: `${FILE_NAME} を添付しました。` }).waitFor();
    await phone.unrouteAll({ behavior: 'wait' });
    assert.ok(put, 'the photo went by a PUT');
    assert.equal(put.type, 'image/jpeg');
    assert.equal(put.bytes, photo.length);
    assert.ok(await phone.getByRole('button', { name: '確認する' }).isEnabled());
    // The error went away with the photo; the file is listed with a way to take it back.
    assert.ok(await phone.locator(`#err-${photoId}`).isHidden());
    assert.deepEqual(await phone.locator(`#files-${photoId} .file-name`).allInnerTexts(), [FILE_NAME]);
    await phone.getByRole('button', { name: `${FILE_NAME} を取り消す` }).waitFor();
    // One file is the field's limit: no more can be chosen.
    assert.ok(await phone.locator(`#f-${photoId}`).isDisabled());
    assert.deepEqual(await accessibilityViolations(phone), []);
  });

  await step('the confirmation names the file; sending gives the receipt', async () => {
    await phone.getByRole('button', { name: '確認する' }).click();
    await phone.locator('#confirm').waitFor({ state: 'visible' });
    const summary = await phone.locator('#summary').innerText();
    assert.match(summary, new RegExp(`${PHOTO_LABEL}\\s+添付 1件：${FILE_NAME.replace(/\./g, '\\.')}`));
    assert.match(summary, new RegExp(`${PLACE_LABEL}\\s+${PLACE}`));
    assert.deepEqual(await accessibilityViolations(phone), []);
    await phone.getByRole('button', { name: '送信する' }).click();
    await phone.locator('#done').waitFor({ state: 'visible' });
    receipt = (await phone.locator('#receipt-number').innerText()).trim();
    assert.match(receipt, RECEIPT);
    assert.deepEqual(await accessibilityViolations(phone), []);
  });

  await step('the clerk opens the answer and the photo\'s thumbnail loads', async () => {
    await page.goto(`${BASE_URL}${formPath}/answers`);
    const row = page.locator('#answers tbody tr').filter({ hasText: receipt });
    await Promise.all([page.waitForNavigation(), row.getByRole('link', { name: receipt, exact: true }).click()]);
    const values = await page.locator('#answer-values').innerText();
    assert.match(values, new RegExp(PLACE));
    assert.match(values, new RegExp(FILE_NAME.replace(/\./g, '\\.')));
    const thumbnail = page.getByRole('img', { name: `添付写真：${FILE_NAME}` });
    // loading="lazy": brought into view, then waited for.
    await thumbnail.scrollIntoViewIfNeeded();
    await page.waitForFunction((img) => img.complete, await thumbnail.elementHandle());
    const size = await thumbnail.evaluate((img) => ({ width: img.naturalWidth, height: img.naturalHeight }));
    // The photo as sent (the server may re-encode it without its metadata, never resize it).
    assert.deepEqual(size, { width: 64, height: 48 });
    // The thumbnail and the file's name open the same link: a signed one that lives minutes.
    const src = await thumbnail.getAttribute('src');
    const link = await page.locator('.answer-files a.file-name').getAttribute('href');
    assert.equal(link, src);
    const signed = new URL(src, BASE_URL);
    const lives = Number(signed.searchParams.get('expires')) - Date.now() / 1000;
    assert.ok(lives > 0 && lives <= 10 * 60, `the link lives ${lives} s`);
    assert.match(signed.searchParams.get('sig') ?? '', /^[0-9a-f]{16,}$/);
    const fetched = await page.evaluate(async (url) => {
      const r = await fetch(url);
      return { status: r.status, type: r.headers.get('content-type') };
    }, src);
    assert.equal(fetched.status, 200);
    assert.match(fetched.type, /^image\/jpeg/);
    // The object is never read without the signature.
    signed.searchParams.delete('sig');
    assert.equal((await fetch(signed)).status, 403);
  });

  await step('no page broke its Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
    assert.deepEqual(phoneViolations, []);
  });
});

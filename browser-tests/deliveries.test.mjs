// セグメント配信 as a clerk does it, in headless Chromium at the clerks' VDI screen size:
// compose a text and an image for 年代=30代 かつ 居住地区=雲浜, see them in the phone preview and
// the recipient count, send now, read the log, duplicate it as a new draft; the simulator's
// citizen sees the image; a clerk registers their own LINE as a test receiver.
//
// Run by scripts/browser-test after console.test.mjs, against the same local run (BASE_URL,
// ADMIN_LOGIN, ADMIN_PASSWORD, SCREENSHOT_DIR). Citizens are made here through the simulator's
// API and registered through the LIFF form's API, with names of their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gridImage } from './lib/png.mjs';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot, confirmAction, api } from './lib/clerk.mjs';

const RUN = randomBytes(2).toString('hex');
const TITLE = `親子ひろばのお知らせ ${RUN}`;
const TEXT = '雲浜地区の子育て世代のみなさまへ\n12月の親子ひろばは毎週水曜 10時からです。';
const SEGMENT = '年代: 30代 かつ 居住地区: 雲浜';
// 1040×585: a LINE-friendly 16:9 image, flat blocks so it stays a few kilobytes.
const IMAGE = gridImage(1040, 585, 2, 1, [[6, 199, 85], [11, 83, 148]]);
// The chat shows the preview the console made of it (long side at most 1024 px); LINE opens the original.
const PREVIEW_WIDTH = 1024;

/** A simulator citizen who follows the account; registered through the LIFF API when given values. */
async function citizen(name, values) {
  const c = await api('POST', '/simulator/api/citizens', { name });
  const follow = await api('POST', '/simulator/api/events', { userId: c.userId, kind: 'follow' });
  assert.equal(follow.webhookStatus, 200);
  if (values) {
    const opened = await fetch(`${BASE_URL}/simulator/liff/registration?userId=${c.userId}`, { redirect: 'manual' });
    const token = new URL(opened.headers.get('location'), BASE_URL).searchParams.get('id_token');
    assert.ok(token, 'the simulator opens the LIFF form with an ID token');
    const saved = await fetch(`${BASE_URL}/api/registration`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values }),
    });
    assert.equal(saved.status, 200, await saved.text());
  }
  return c;
}

async function lineRequests() {
  const response = await fetch(`${BASE_URL}/_line/requests`);
  assert.equal(response.status, 200);
  return response.json();
}

async function flash(page) {
  const f = page.locator('.flash').first();
  await f.waitFor();
  return (await f.innerText()).trim();
}

/** The value beside a label in a delivery's facts (`<dt>label</dt><dd>value</dd>`). */
async function fact(page, label) {
  return (await page.locator(`dl.facts dt:text-is("${label}") + dd`).innerText()).trim();
}

/** Waits until an <img> has loaded real pixels. */
async function loaded(image) {
  await image.waitFor();
  await image.evaluate((img) => img.complete && img.naturalWidth > 0
    ? null
    : new Promise((resolve, reject) => { img.onload = resolve; img.onerror = () => reject(new Error(`image ${img.src} did not load`)); }));
  return image.evaluate((img) => img.naturalWidth);
}

test('segment delivery: compose, preview, count, send, log, duplicate', { timeout: 300_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);

  const step = steps(t, page, 'deliveries-');
  const inSegment = [];
  const outside = [];
  let deliveryPath;

  await step('citizens register with various 年代 and 地区', async () => {
    inSegment.push(await citizen(`雲浜 三十子${RUN}`, { age_group: ['30代'], district: ['雲浜'] }));
    inSegment.push(await citizen(`雲浜 三十郎${RUN}`, { age_group: ['30代'], district: ['雲浜'] }));
    outside.push(await citizen(`小浜 三十子${RUN}`, { age_group: ['30代'], district: ['小浜'] }));
    outside.push(await citizen(`雲浜 四十郎${RUN}`, { age_group: ['40代'], district: ['雲浜'] }));
  });

  await step('the clerk composes text and image for 30代 × 雲浜 and sees them and the count', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.goto(`${BASE_URL}/admin/deliveries`);
    await page.getByRole('link', { name: '新しい配信を作成' }).click();
    await page.getByLabel('タイトル（管理用・必須）').fill(TITLE);
    await page.getByLabel('分類').selectOption('子育て');
    await page.locator('#f-kind-0').selectOption('text');
    await page.locator('#f-text-0').fill(TEXT);
    // composer.js (a file, allowed by the console's CSP) counts as LINE does: UTF-16 units.
    const counter = await page.locator('#f-text-0').getAttribute('data-count');
    assert.equal((await page.locator(`#${counter}`).innerText()).trim(), `${TEXT.length} / 5000`);
    // One bubble at a time: the second is added on demand (a round trip that keeps the first).
    await page.getByRole('button', { name: '吹き出しを追加' }).click();
    await page.locator('#f-kind-1').waitFor();
    assert.equal(await page.locator('#f-text-0').inputValue(), TEXT);
    await page.locator('#f-kind-1').selectOption('image');
    await page.locator('#f-file-1').setInputFiles({ name: 'oyako-hiroba.png', mimeType: 'image/png', buffer: IMAGE });
    await page.locator('input[name="target"][value="segment"]').check();
    await page.locator('input[name="seg.age_group"][value="30代"]').check();
    await page.locator('input[name="seg.district"][value="雲浜"]').check();
    await page.getByRole('button', { name: '対象人数を確認' }).click();
    await page.waitForURL(/\/admin\/deliveries\/[0-9a-f]{32}$/);
    deliveryPath = new URL(page.url()).pathname;
    assert.equal(await flash(page), `${SEGMENT}：${inSegment.length} 人（ブロック中の友だちを除く）`);

    const phone = page.getByRole('complementary', { name: 'スマートフォンでの見え方' });
    assert.equal((await phone.locator('.chat-bubble').first().innerText()).trim(), TEXT);
    assert.equal(await loaded(phone.locator('img.chat-image')), PREVIEW_WIDTH);
    // The form keeps what was entered: the draft is what gets sent.
    assert.equal(await page.getByLabel('タイトル（管理用・必須）').inputValue(), TITLE);
    assert.ok(await page.locator('input[name="seg.district"][value="雲浜"]').isChecked());
    await screenshot(page, 'deliveries-compose.webp', { fullPage: true });
  });

  await step('sent now, only the segment receives it and the log shows the totals', async () => {
    await page.getByRole('button', { name: '配信する（予約する）' }).click();
    // Nothing is sent before the clerk confirms, on a page that says to whom and when.
    const confirmation = page.locator('.confirm');
    await confirmation.waitFor();
    assert.match(await confirmation.innerText(), new RegExp(`現在 ${inSegment.length} 人`));
    assert.match(await confirmation.innerText(), /すぐに配信します/);
    await screenshot(page, 'deliveries-confirm.webp');
    await confirmAction(page, '配信する');
    await page.waitForURL(`${BASE_URL}${deliveryPath}`);
    assert.equal(await flash(page), '配信を開始しました。結果はこの画面に表示されます。');
    for (let i = 0; i < 50 && (await fact(page, '状態')) !== '配信済み'; i++) {
      await page.waitForTimeout(200);
      await page.reload();
    }
    assert.equal(await fact(page, '状態'), '配信済み');
    assert.equal(await fact(page, '配信先'), SEGMENT);
    assert.equal(await fact(page, '対象数'), `${inSegment.length} 人`);
    assert.equal(await fact(page, '成功'), `${inSegment.length} 通`);
    assert.equal(await fact(page, '失敗'), '0 通');
    await screenshot(page, 'deliveries-log.webp', { fullPage: true });

    // The console turns the textarea's CRLF line breaks into LINE's LF.
    const sentText = (r) => String(r.body.messages?.[0]?.text ?? '');
    const multicasts = (await lineRequests()).filter((r) => r.path === '/v2/bot/message/multicast' && sentText(r) === TEXT);
    assert.equal(multicasts.length, 1);
    assert.equal(multicasts[0].status, 200);
    assert.deepEqual(multicasts[0].schemaErrors, []);
    assert.deepEqual([...multicasts[0].body.to].sort(), inSegment.map((c) => c.userId).sort());
    for (const c of outside) assert.ok(!multicasts[0].body.to.includes(c.userId), `${c.name} is outside`);
    assert.equal(multicasts[0].body.messages[1].type, 'image');

    await page.goto(`${BASE_URL}/admin/deliveries`);
    const row = page.locator('tr', { hasText: TITLE });
    assert.match(await row.innerText(), /配信済み/);
  });

  await step('duplicating makes a new draft with the composer filled in', async () => {
    await page.goto(`${BASE_URL}${deliveryPath}`);
    await page.getByRole('button', { name: '複製して編集' }).click();
    await page.waitForURL((url) => /\/admin\/deliveries\/[0-9a-f]{32}$/.test(url.pathname) && url.pathname !== deliveryPath);
    assert.equal(await flash(page), '複製しました。内容を確認して配信してください。');
    assert.equal(await page.getByLabel('タイトル（管理用・必須）').inputValue(), `${TITLE}（コピー）`);
    assert.equal(await page.getByLabel('分類').inputValue(), '子育て');
    assert.equal(await page.locator('#f-text-0').inputValue(), TEXT);
    assert.equal(await page.locator('#f-kind-1').inputValue(), 'image');
    assert.ok(await page.locator('input[name="seg.age_group"][value="30代"]').isChecked());
    assert.ok(await page.locator('input[name="seg.district"][value="雲浜"]').isChecked());
    const phone = page.getByRole('complementary', { name: 'スマートフォンでの見え方' });
    assert.equal(await loaded(phone.locator('img.chat-image')), PREVIEW_WIDTH);
    await screenshot(page, 'deliveries-duplicate.webp');
  });

  await step('the simulator shows the citizen the text and the image', async () => {
    await page.goto(`${BASE_URL}/simulator`);
    await page.locator('#citizen-list button', { hasText: inSegment[0].name }).click();
    const chat = page.locator('#chat');
    await chat.locator('.from-bot > div', { hasText: '12月の親子ひろばは毎週水曜' }).first().waitFor();
    const image = chat.locator('img.bot-image').last();
    assert.equal(await loaded(image), PREVIEW_WIDTH);
    await image.scrollIntoViewIfNeeded();
    await screenshot(page, 'deliveries-simulator.webp');
  });

  await step('a clerk registers their LINE as a test receiver with a code', async () => {
    await page.goto(`${BASE_URL}/admin/deliveries`);
    await page.getByRole('link', { name: 'テスト配信の受信者' }).click();
    await page.getByRole('button', { name: '登録用コードを発行する' }).click();
    const code = (await page.locator('#tester-code').innerText()).trim();
    assert.match(code, /^\d{6}$/);
    assert.equal((await page.locator('#tester-code-text').innerText()).trim(), `テスター登録 ${code}`);
    await screenshot(page, 'deliveries-testers.webp');

    const phone = await citizen(`職員 テスト${RUN}`);
    await api('POST', '/simulator/api/events', { userId: phone.userId, kind: 'text', text: `テスター登録 ${code}` });
    await page.goto(`${BASE_URL}/admin/deliveries/testers`);
    const row = page.locator('tr', { hasText: phone.name });
    assert.match(await row.innerText(), /管理者/);
  });

  await step('no page broke the Content-Security-Policy (the composer scripts are files)', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

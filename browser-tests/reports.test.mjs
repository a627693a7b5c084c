// 通報 from the citizen's chat to the clerk's answer and back, in headless Chromium at the
// clerks' VDI screen size. Two simulator citizens of 雲浜 file through the chat (通報する → the
// kind → a location at 小浜市役所 → photos → details → 送信する): a damaged road with two photos
// and a bear sighting without one. The clerk finds the sighting at the top of the list, opens the
// road report with its photos, adds a response template, fills the comment from it, moves the
// report to 確認中 and then 完了, and the citizen receives each change in LINE; the map lists
// both; the verified sighting becomes a delivery draft to 雲浜 waiting for approval.
//
// Run by scripts/browser-test after console.test.mjs, against the same local run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gridImage } from './lib/png.mjs';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot, api } from './lib/clerk.mjs';

const RUN = randomBytes(2).toString('hex');
const CITY_HALL = { latitude: 35.4953, longitude: 135.7466 };
const ROAD_DETAILS = `市役所前の歩道に穴があいています（${RUN}）`;
const BEAR_DETAILS = `裏山の畑でクマを見ました（${RUN}）`;
const TEMPLATE_NAME = `現地確認 ${RUN}`;
const TEMPLATE_TEXT = '担当者が現地を確認します。しばらくお待ちください。';
const DONE_COMMENT = '穴を補修しました。ご連絡ありがとうございました。';
const RECEIPT = /\d{4}-\d{4}/;

/** A simulator citizen of 雲浜 who follows the account (registered through the LIFF API). */
async function citizen(name) {
  const c = await api('POST', '/simulator/api/citizens', { name });
  assert.equal((await api('POST', '/simulator/api/events', { userId: c.userId, kind: 'follow' })).webhookStatus, 200);
  const opened = await fetch(`${BASE_URL}/simulator/liff/registration?userId=${c.userId}`, { redirect: 'manual' });
  const token = new URL(opened.headers.get('location'), BASE_URL).searchParams.get('id_token');
  const saved = await fetch(`${BASE_URL}/api/registration`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ values: { age_group: ['40代'], district: ['雲浜'] } }),
  });
  assert.equal(saved.status, 200, await saved.text());
  return c;
}

/** What the bot said to `userId` so far, as text (every message's JSON). */
async function botSaid(userId) {
  const entries = await api('GET', `/simulator/api/conversation?userId=${userId}`);
  return entries.filter((e) => e.from === 'bot').map((e) => JSON.stringify(e.messages));
}

/** Waits until the bot has said something matching `pattern` after the first `seen` messages. */
async function waitForBot(userId, pattern, seen = 0) {
  for (let i = 0; i < 100; i += 1) {
    const said = (await botSaid(userId)).slice(seen);
    const found = said.find((s) => pattern.test(s));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`the bot never said ${pattern} to ${userId}: ${(await botSaid(userId)).slice(seen).join('\n')}`);
}

/** The citizen does `action` in the chat and the bot answers something matching `pattern`. */
async function say(userId, action, pattern) {
  const seen = (await botSaid(userId)).length;
  const sent = await api('POST', '/simulator/api/events', { userId, ...action });
  for (const s of sent.sent ?? [sent]) assert.equal(s.webhookStatus, 200, JSON.stringify(s));
  return waitForBot(userId, pattern, seen);
}

const postback = (data) => ({ kind: 'postback', data });

/** Files a report through the chat; answers its receipt number. */
async function fileThroughChat(userId, category, photos, details) {
  await say(userId, postback('reports:start'), /通報/);
  await say(userId, postback(`reports:category=${category}`), /位置情報/);
  await say(userId, { kind: 'location', ...CITY_HALL, title: '小浜市役所', address: '福井県小浜市大手町6-3' }, /写真/);
  if (photos.length > 0) {
    const images = photos.map((png) => ({ contentType: 'image/png', dataBase64: Buffer.from(png).toString('base64') }));
    await say(userId, { kind: 'images', images }, new RegExp(`写真を受け取りました（${photos.length}`));
  }
  await say(userId, postback('reports:next'), /どのような状況か/);
  await say(userId, { kind: 'text', text: details }, /送信する/);
  const receipt = await say(userId, postback('reports:send'), RECEIPT);
  return receipt.match(RECEIPT)[0];
}

test('reports: the citizen files in the chat, the clerk answers, the citizen is told', { timeout: 300_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  const step = steps(t, page, 'reports-');
  let road;
  let bear;
  let roadReceipt;
  let bearReceipt;

  await step('two citizens file a damaged road with two photos and a bear sighting', async () => {
    road = await citizen(`雲浜 道子${RUN}`);
    bear = await citizen(`雲浜 熊男${RUN}`);
    const photos = [
      gridImage(800, 600, 4, 3, [[90, 90, 90], [160, 140, 110]]),
      gridImage(600, 800, 3, 4, [[60, 120, 60], [200, 200, 200]]),
    ];
    roadReceipt = await fileThroughChat(road.userId, 'road', photos, ROAD_DETAILS);
    bearReceipt = await fileThroughChat(bear.userId, 'wildlife', [], BEAR_DETAILS);
    assert.notEqual(roadReceipt, bearReceipt);
  });

  await step('the clerk finds the bear sighting at the top of the list', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.getByRole('navigation').getByRole('link', { name: '通報', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/reports`);
    const rows = page.locator('main table tbody tr');
    assert.match(await rows.first().innerText(), new RegExp(bearReceipt));
    assert.match(await rows.first().innerText(), /緊急/);
    assert.match(await page.locator('main table').innerText(), new RegExp(roadReceipt));
    await screenshot(page, 'reports-list.webp');
  });

  await step('the clerk adds a response template', async () => {
    await page.goto(`${BASE_URL}/admin/reports/templates`);
    await page.getByLabel('名前（職員が選ぶときに見る）').fill(TEMPLATE_NAME);
    await page.getByLabel('本文（市民へのコメントに入ります）').fill(TEMPLATE_TEXT);
    await page.locator('#template-form button[type="submit"]').click();
    await page.locator('main').getByText(TEMPLATE_NAME).first().waitFor();
  });

  await step('the road report shows its details and both photos', async () => {
    await page.goto(`${BASE_URL}/admin/reports`);
    await page.getByRole('link', { name: roadReceipt }).first().click();
    await page.getByText(ROAD_DETAILS).waitFor();
    for (const n of [1, 2]) {
      const photo = page.getByRole('img', { name: `${n}枚目の写真` });
      await photo.scrollIntoViewIfNeeded();
      const width = await photo.evaluate((img) => img.complete && img.naturalWidth > 0
        ? img.naturalWidth
        : new Promise((resolve, reject) => { img.onload = () => resolve(img.naturalWidth); img.onerror = () => reject(new Error(`photo ${n} did not load`)); }));
      assert.ok(width > 0, `photo ${n} shows`);
    }
  });

  await step('a template fills the comment and 確認中 reaches the citizen', async () => {
    await page.locator('#f-status-to').selectOption('checking');
    await page.locator('#f-template').selectOption({ label: TEMPLATE_NAME });
    await page.locator('#fill-template').click();
    await page.waitForLoadState();
    assert.equal((await page.locator('#f-comment').inputValue()).trim(), TEMPLATE_TEXT);
    await page.locator('#f-status-to').selectOption('checking');
    await page.locator('#change-status').click();
    await page.locator('.flash').first().waitFor();
    const notice = await waitForBot(road.userId, new RegExp(`${roadReceipt}[\\s\\S]*確認中|確認中[\\s\\S]*${roadReceipt}`));
    assert.match(notice, new RegExp(TEMPLATE_TEXT));
    await screenshot(page, 'reports-detail.webp', { fullPage: true });
  });

  await step('完了 with a comment reaches the citizen too', async () => {
    await page.locator('#f-status-to').selectOption('done');
    await page.locator('#f-comment').fill(DONE_COMMENT);
    await page.locator('#change-status').click();
    await page.locator('.flash').first().waitFor();
    const notice = await waitForBot(road.userId, /完了/);
    assert.match(notice, new RegExp(roadReceipt));
    assert.match(notice, new RegExp(DONE_COMMENT));
  });

  await step('the map lists both reports', async () => {
    await page.goto(`${BASE_URL}/admin/reports/map`);
    await page.locator('#report-map').waitFor();
    const listed = await page.locator('#map-reports').innerText();
    assert.match(listed, new RegExp(roadReceipt));
    assert.match(listed, new RegExp(bearReceipt));
    await screenshot(page, 'reports-map.webp');
  });

  await step('the verified sighting becomes a delivery draft to 雲浜', async () => {
    await page.goto(`${BASE_URL}/admin/reports`);
    await page.getByRole('link', { name: bearReceipt }).first().click();
    await page.locator('#f-status-to').selectOption('checking');
    await page.locator('#change-status').click();
    await page.locator('.flash').first().waitFor();
    await page.locator('#create-alert').click();
    await page.waitForURL(/\/admin\/deliveries\//);
    const body = await page.locator('main').innerText();
    assert.match(body, /雲浜/);
    assert.match(body, /下書き/);
  });

  await step('no page broke the Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

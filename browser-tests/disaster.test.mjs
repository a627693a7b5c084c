// 災害対応 as 防災安全課 runs it, in headless Chromium: import 小浜市's GSI lists, open an
// emergency (the banner then shows on every page), and set a shelter to 満員 from the
// phone-sized status page at 390×844, as staff in the field do; then close the emergency, so
// that the tests after this one see a console at peace.
//
// Run by scripts/browser-test, which passes BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD and
// SCREENSHOT_DIR (docs/manual/images with UPDATE_SCREENSHOTS=1: shelter-status.webp,
// shelters-map-full.webp).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { clerkBrowser, steps, confirmAction, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot } from './lib/clerk.mjs';

const DATA = new URL('../data/shelters/', import.meta.url);
const EMERGENCY_SITES = fileURLToPath(new URL('obama_gsi_designated_emergency_evacuation_sites.csv', DATA));
const SHELTERS = fileURLToPath(new URL('obama_gsi_designated_shelters.csv', DATA));
const TITLE = '令和8年7月大雨（訓練）';
const CITY_HALL = { lat: 35.4953, lng: 135.7466 };

async function flash(page) {
  const message = page.locator('.flash');
  await message.first().waitFor();
  return (await message.first().innerText()).trim();
}

test('a shelter set to 満員 from a phone during an emergency', { timeout: 180_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  const step = steps(t, page, 'disaster-');
  let shelter = '';

  await step('staff import the GSI lists of 小浜市', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '避難所・施設' }).click();
    await page.getByRole('link', { name: '国土地理院データの取込' }).click();
    await page.getByLabel('指定緊急避難場所のCSV').setInputFiles(EMERGENCY_SITES);
    await page.getByLabel('指定避難所のCSV').setInputFiles(SHELTERS);
    await page.getByRole('button', { name: '避難所を取り込む' }).click();
    await page.waitForURL(`${BASE_URL}/admin/shelters`);
    assert.match(await flash(page), /^避難所を \d+ 件取り込みました/);
  });

  await step('staff open an emergency and the banner shows on every page', async () => {
    assert.equal(await page.locator('.disaster-banner').count(), 0);
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '災害対応' }).click();
    await page.getByLabel('名前（必須）').fill(TITLE);
    await page.getByLabel('洪水').check();
    await page.getByLabel('土砂災害').check();
    await page.getByRole('button', { name: '災害対応を開始する' }).click();
    await page.waitForURL(`${BASE_URL}/admin/disaster`);
    assert.match(await flash(page), /開始しました/);
    for (const path of ['/admin', '/admin/deliveries']) {
      await page.goto(`${BASE_URL}${path}`);
      const banner = page.getByRole('region', { name: '災害対応中のお知らせ' });
      assert.match(await banner.innerText(), new RegExp(`^災害対応中：${TITLE.replace(/[()（）]/g, '.')}（\\d{4}年`));
    }
  });

  await step('on a phone, a shelter is set to 満員 with one press', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    // The 指定避難所 nearest the city hall among those for the emergency's hazards: the one
    // a citizen there is offered first.
    const near = await (await fetch(`${BASE_URL}/api/shelters/nearby?lat=${CITY_HALL.lat}&lng=${CITY_HALL.lng}`)).json();
    const target = near.sites.find((s) => s.designations.includes('指定避難所'));
    assert.ok(target, 'a 指定避難所 near the city hall for the emergency\'s hazards');
    shelter = target.name;
    await page.goto(`${BASE_URL}/admin/shelters/status`);
    const card = page.locator('li.shelter-card').filter({ has: page.locator('h2', { hasText: shelter }) }).first();
    assert.match(await card.locator('.now').innerText(), /現在：未入力/);
    // Nothing wider than the phone: no sideways scrolling in the field.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width}px wide`);
    const full = card.getByRole('button', { name: `${shelter}を満員にする` });
    const box = await full.boundingBox();
    assert.ok(box.height >= 44 && box.width >= 44, 'a button big enough for a thumb');
    await full.click();
    await page.waitForURL(/\/admin\/shelters\/status/);
    assert.match(await flash(page), new RegExp(`「${shelter}」を「満員」にしました（\\d{4}年`));
    const now = page.locator('li.shelter-card').filter({ has: page.locator('h2', { hasText: shelter }) }).first().locator('.now');
    assert.match(await now.innerText(), /現在：満員（\d+\/\d+ \d\d:\d\d admin）/);
    assert.equal(await card.getByRole('button', { name: `${shelter}を満員にする` }).getAttribute('aria-pressed'), 'true');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'shelter-status.webp');
  });

  await step('a citizen at the city hall sees it 満員, with the time, after the open ones', async () => {
    await page.goto(`${BASE_URL}/liff/shelters/map?lat=${CITY_HALL.lat}&lng=${CITY_HALL.lng}`);
    const items = page.locator('#sites li');
    await items.first().waitFor();
    const count = await items.count();
    const last = items.nth(count - 1);
    assert.equal((await last.locator('h3').innerText()).trim(), `${count}. ${shelter}`);
    assert.match(await last.locator('.status').innerText(), /状況：満員（\d+月\d+日.*更新）|状況：満員（.*\d\d:\d\d.*更新）/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the map page scrolls sideways by ${overflow} px`);
    await screenshot(page, 'shelters-map-full.webp', { fullPage: true });
  });

  await step('staff close the emergency after confirming, and the banner goes', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${BASE_URL}/admin/disaster`);
    await page.getByRole('button', { name: 'この災害対応を終了する' }).click();
    await page.getByRole('heading', { name: '災害対応の終了の確認' }).waitFor();
    await confirmAction(page, '災害対応を終了する');
    assert.match(await flash(page), /終了しました/);
    assert.equal(await page.locator('.disaster-banner').count(), 0);
    await page.getByText('現在、開始している災害対応はありません').waitFor();
  });

  await step('no Content-Security-Policy violation on the way', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

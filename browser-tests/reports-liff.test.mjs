// The report form (通報, LIFF) as a citizen uses it on a phone (390×844, LINE's in-app browser):
// a category, a pin on the map near 小浜市役所, one photo (a PNG made here), the details, the
// confirmation screen, and the receipt number at the end, which 「これまでの通報」 lists too.
// A field left out is named next to that field. Nothing scrolls sideways, the page's policy is
// never broken, and every screen passes the axe gate. There is no network here: GSI's tiles
// never load, and the map still takes a tap.
//
// The citizen is made through the simulator's API; the ID token comes from the fake LINE's
// LINE Login (`/_line/id-tokens`), passed as ?id_token= because there is no LIFF SDK here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clerkBrowser, steps, BASE_URL, screenshot } from './lib/clerk.mjs';
import { accessibilityViolations } from './lib/axe.mjs';
import { encodePng } from './lib/png.mjs';

async function noSidewaysScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
}

test('the report form on a phone', { timeout: 180_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  await page.setViewportSize({ width: 390, height: 844 });
  const step = steps(t, page, 'reports-liff-');
  let receipt;

  await step('the form opens with the categories, the urgent one marked', async () => {
    const made = await fetch(`${BASE_URL}/simulator/api/citizens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '西津 五郎' }),
    });
    const citizen = await made.json();
    const issued = await fetch(`${BASE_URL}/_line/id-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: citizen.userId }),
    });
    assert.equal(issued.status, 200);
    const { idToken } = await issued.json();
    assert.ok(idToken);
    await page.goto(`${BASE_URL}/liff/reports?id_token=${encodeURIComponent(idToken)}`);
    await page.locator('#categories input[name=category]').first().waitFor();
    assert.equal((await page.locator('#status').innerText()).trim(), '');
    const wildlife = page.locator('label.category').filter({ hasText: 'クマ・イノシシ・シカの出没' });
    assert.equal((await wildlife.locator('.urgent').innerText()).trim(), '緊急');
    await noSidewaysScroll(page);
  });

  await step('a form sent without its fields says what is missing next to each field', async () => {
    await page.getByRole('button', { name: '確認する' }).click();
    assert.equal(await page.locator('#category-error').innerText(), '種類を選んでください。');
    assert.equal(await page.locator('#location-error').innerText(), '場所を選んでください。');
    assert.equal(await page.locator('#details-error').innerText(), '内容を入力してください。');
    assert.equal(await page.locator('#details').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#details').getAttribute('aria-describedby'), /details-error/);
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  await step('the citizen chooses a category, a place on the map, one photo and the details', async () => {
    await page.getByRole('radio', { name: /道路・公共物の損傷/ }).check();
    // The map starts at 小浜市役所: a tap in its middle puts the pin there.
    await page.locator('#map').click();
    await page.locator('#location-chosen').filter({ hasText: '地図で選んだ場所' }).waitFor();
    const photo = encodePng(320, 240, (x) => (x < 160 ? [200, 40, 40] : [40, 40, 200]));
    await page.locator('#photos').setInputFiles({ name: 'road.png', mimeType: 'image/png', buffer: photo });
    await page.locator('#photo-list img').first().waitFor();
    assert.equal(await page.locator('#photo-list img').count(), 1);
    await page.getByLabel(/^内容/).fill('市役所前の歩道に大きな穴があいています。');
    await noSidewaysScroll(page);
    await screenshot(page, 'citizens-reports-form.webp', { fullPage: true });
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  await step('the confirmation screen shows what will be sent', async () => {
    await page.getByRole('button', { name: '確認する' }).click();
    await page.locator('#step-confirm').waitFor({ state: 'visible' });
    const summary = await page.locator('#summary').innerText();
    assert.match(summary, /道路・公共物の損傷/);
    assert.match(summary, /1枚/);
    assert.match(summary, /市役所前の歩道に大きな穴があいています。/);
    await screenshot(page, 'citizens-reports-confirm.webp', { fullPage: true });
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  await step('sending gives a receipt number, which the citizen\'s list shows', async () => {
    await page.getByRole('button', { name: '送信する' }).click();
    await page.locator('#step-done').waitFor({ state: 'visible' });
    receipt = (await page.locator('#receipt').innerText()).trim();
    assert.ok(receipt.length > 0, 'a receipt number is shown');
    assert.match(await page.locator('#status').innerText(), new RegExp(receipt));
    await page.locator('#mine li').first().waitFor();
    const mine = await page.locator('#mine li').first().innerText();
    assert.match(mine, new RegExp(receipt));
    assert.match(mine, /受付/);
    await noSidewaysScroll(page);
    await screenshot(page, 'citizens-reports-receipt.webp', { fullPage: true });
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  await step('the page broke no rule of its Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

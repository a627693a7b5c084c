// The shelters map page as a citizen opens it from the chat's 「地図で見る」 on a phone (390×844):
// near 小浜市役所, the list under the map names the 5 nearest sites in the API's order with their
// straight-line distances, the attribution GSI requires is there, nothing scrolls sideways, and
// it passes the axe gate. There is no network here, so GSI's tiles never load: the list must say
// everything by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clerkBrowser, steps, BASE_URL, screenshot } from './lib/clerk.mjs';

const CITY_HALL = { lat: 35.4953, lng: 135.7466 };

test('the shelters map page on a phone', { timeout: 120_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  await page.setViewportSize({ width: 390, height: 844 });
  const step = steps(t, page, 'shelters-');
  let expected;

  await step('the page lists the 5 nearest sites, nearest first, with their distances', async () => {
    const api = await fetch(`${BASE_URL}/api/shelters/nearby?lat=${CITY_HALL.lat}&lng=${CITY_HALL.lng}`);
    assert.equal(api.status, 200);
    expected = await api.json();
    assert.equal(expected.sites.length, 5);
    await page.goto(`${BASE_URL}/liff/shelters/map?lat=${CITY_HALL.lat}&lng=${CITY_HALL.lng}`);
    await page.locator('#sites li').nth(4).waitFor();
    const items = page.locator('#sites li');
    assert.equal(await items.count(), 5);
    let previous = -1;
    for (const [i, site] of expected.sites.entries()) {
      const item = items.nth(i);
      assert.equal((await item.locator('h3').innerText()).trim(), `${i + 1}. ${site.name}`);
      const distance = (await item.locator('.distance').innerText()).trim();
      assert.equal(distance, `直線距離 ${site.distance}`);
      assert.ok(site.distanceM >= previous, `${site.name} is not farther than the one before`);
      previous = site.distanceM;
      const route = await item.getByRole('link', { name: /徒歩ルート/ }).getAttribute('href');
      const url = new URL(route);
      assert.equal(url.searchParams.get('api'), '1');
      assert.equal(url.searchParams.get('travelmode'), 'walking');
      assert.equal(url.searchParams.get('destination'), `${site.latitude},${site.longitude}`);
    }
    assert.match(await page.locator('#status').innerText(), /5か所を近い順に表示しています/);
  });

  await step('GSI is credited and its caveat is shown', async () => {
    const tiles = page.locator('footer').getByRole('link', { name: '地理院タイル' });
    assert.equal(await tiles.getAttribute('href'), 'https://maps.gsi.go.jp/development/ichiran.html');
    assert.ok(await page.getByText('出典：国土地理院 指定緊急避難場所・指定避難所データ（小浜市）').isVisible());
    assert.match(await page.locator('.caveat').innerText(), /最新でない場合があります/);
    assert.match(await page.locator('.caveat').innerText(), /指定緊急避難場所.*指定避難所/);
  });

  await step('a hazard filter asks the API again and the page fits the phone', async () => {
    await page.locator('#hazard').selectOption('tsunami');
    await page.locator('#status').filter({ hasText: '「津波」に対応する' }).waitFor();
    const api = await fetch(`${BASE_URL}/api/shelters/nearby?lat=${CITY_HALL.lat}&lng=${CITY_HALL.lng}&hazard=tsunami`);
    const tsunami = await api.json();
    const names = (await page.locator('#sites li h3').allInnerTexts()).map((n) => n.replace(/^\d+\. /, ''));
    assert.deepEqual(names, tsunami.sites.map((s) => s.name));
    await page.locator('#hazard').selectOption('');
    await page.locator('#status').filter({ hasText: /^5か所を近い順に表示しています。$/ }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await screenshot(page, 'shelters-map.webp', { fullPage: true });
  });

  await step('a wrong position is answered in Japanese', async () => {
    const api = await fetch(`${BASE_URL}/api/shelters/nearby?lat=abc&lng=135.7466`);
    assert.equal(api.status, 400);
    const body = await api.json();
    assert.equal(body.error.code, 'invalid_position');
    assert.match(body.error.message, /緯度が正しくありません/);
  });

  await step('no page broke the Content-Security-Policy', async () => {
    // GSI's tiles are refused by the network here, not by the policy.
    assert.deepEqual(cspViolations, []);
  });
});

// The delivery composer at the clerks' VDI screen size (1280×720), with JavaScript on: one
// bubble open at a time keeps the page short and the Tab key's way to the send button short,
// the phone preview stays in view, the character count turns red past LINE's limit, and a
// 13 MB phone photo is shrunk in the browser before it is sent, then saved.
//
// Run by scripts/browser-test against the local run (BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encodePng } from './lib/png.mjs';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD } from './lib/clerk.mjs';

const RUN = randomBytes(2).toString('hex');
const TITLE = `観光案内所の年末年始 ${RUN}`;
// Before: all five bubbles' fields shown, about 4,000 px and 100 Tab stops to the send button.
const MAX_HEIGHT = 1600;
// Counted from 「本文へ移動」, past the menu.
const MAX_TAB_STOPS = 25;

/**
 * A phone-sized photo as a PNG of about 13 MB: a gradient with grain, which does not compress
 * away as flat colours would.
 */
function phonePhoto() {
  let seed = 12345;
  const grain = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >> 16) & 0x3f;
  };
  return encodePng(3000, 2000, (x, y) => [
    (x * 180) / 3000 + grain(),
    (y * 180) / 2000 + grain(),
    120 + grain(),
  ]);
}

test('composer: short page, short Tab path, preview in view, limits shown, big photos shrunk', { timeout: 300_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  const step = steps(t, page, 'composer-');

  await step('the clerk opens a new delivery', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.goto(`${BASE_URL}/admin/deliveries/new`);
    await page.getByLabel('タイトル（管理用・必須）').fill(TITLE);
    await page.locator('#f-kind-0').selectOption('text');
    await page.locator('#f-text-0').fill('12月29日から1月3日まで、観光案内所はお休みします。');
  });

  await step('the page is short and the send button a few Tab presses away', async () => {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height <= MAX_HEIGHT, `the composer is ${height} px tall (at most ${MAX_HEIGHT})`);
    // From the top of the page: the first Tab reaches 「本文へ移動」 (the page's first link),
    // which a keyboard user takes past the menu (the menu grows with every function; the form
    // must not). Focused here directly: the browser would continue from the last focused place.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('a.skip').focus();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), '本文へ移動');
    await page.keyboard.press('Enter');
    let stops = 1;
    for (; stops < 200; stops++) {
      await page.keyboard.press('Tab');
      const at = await page.evaluate(() => document.activeElement?.textContent?.trim());
      if (at === '配信する（予約する）' || at === '承認を依頼する') break;
    }
    assert.ok(stops + 1 <= MAX_TAB_STOPS, `${stops + 1} Tab stops to the send button (at most ${MAX_TAB_STOPS})`);
    t.diagnostic(`composer: ${height} px, ${stops + 1} Tab stops to the send button`);
  });

  await step('the phone preview stays in view at the foot of the page', async () => {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const box = await page.getByRole('complementary', { name: 'スマートフォンでの見え方' }).boundingBox();
    assert.ok(box.y >= 0 && box.y < 720, `the preview's top is at ${box.y}`);
  });

  await step('the character count turns red past LINE’s limit, and saving is refused with the text kept', async () => {
    const long = 'あ'.repeat(5001);
    await page.locator('#f-text-0').fill(long);
    const counter = page.locator('#count-0');
    assert.equal((await counter.innerText()).trim(), '5001 / 5000（1文字多すぎます）');
    assert.ok(await counter.evaluate((c) => c.classList.contains('over')));
    const colour = await counter.evaluate((c) => getComputedStyle(c).color);
    assert.equal(colour, 'rgb(164, 22, 26)');
    await page.getByRole('button', { name: '下書き保存・プレビュー更新' }).click();
    await page.locator('#p-text-0').waitFor();
    assert.equal(
      (await page.locator('#p-text-0').innerText()).trim(),
      '1つ目の本文が長すぎます（5001文字。上限は5000文字）。',
    );
    assert.equal(await page.locator('#f-text-0').inputValue(), long);
    await page.locator('#f-text-0').fill('12月29日から1月3日まで、観光案内所はお休みします。');
  });

  await step('a 13 MB phone photo is shrunk before it is sent and saved', async () => {
    const photo = phonePhoto();
    assert.ok(photo.length > 12 * 1024 * 1024, `the photo is ${photo.length} bytes`);
    await page.getByRole('button', { name: '吹き出しを追加' }).click();
    await page.locator('#f-kind-1').waitFor();
    await page.locator('#f-kind-1').selectOption('image');
    await page.locator('#f-file-1').setInputFiles({ name: 'IMG_2041.png', mimeType: 'image/png', buffer: photo });
    await page.getByText(/写真を縮小しました/).waitFor({ timeout: 60_000 });
    const sent = await page.locator('#f-file-1').evaluate((input) => ({ size: input.files[0].size, type: input.files[0].type }));
    assert.equal(sent.type, 'image/jpeg');
    assert.ok(sent.size < 4 * 1024 * 1024, `${sent.size} bytes are sent`);
    await page.getByRole('button', { name: '下書き保存・プレビュー更新' }).click();
    await page.waitForURL(/\/admin\/deliveries\/[0-9a-f]{32}$/);
    assert.equal((await page.locator('.flash').first().innerText()).trim(), '下書きを保存しました。');
    const image = page.getByRole('complementary', { name: 'スマートフォンでの見え方' }).locator('img.chat-image');
    await image.waitFor();
    const width = await image.evaluate((img) => img.complete && img.naturalWidth > 0
      ? img.naturalWidth
      : new Promise((resolve) => { img.onload = () => resolve(img.naturalWidth); }));
    assert.equal(width, 1024, 'the preview LINE shows in the chat');
  });

  await step('no page broke the Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

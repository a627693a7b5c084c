// The LINE simulator as staff and vendors demo with it, in headless Chromium: images and stickers
// reach the bot and a refusal shows next to the button that caused it; the rich menu LINE shows
// the citizen is drawn and its areas answer taps; the console's emergency switch changes the menu
// the simulator draws; at a phone's width (390×844) the chat takes the screen's width.
//
// Run by scripts/browser-test on the same local run as the others (after console.test.mjs, which
// designates menus of its own): the default menus a fresh install published are designated again
// here through the console, as a clerk who keeps them would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridImage } from './lib/png.mjs';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot } from './lib/clerk.mjs';

const PHOTO = gridImage(800, 600, 2, 2, [[6, 199, 85], [11, 83, 148]]);

async function signIn(page) {
  await page.goto(`${BASE_URL}/admin/login`);
  await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
  await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.waitForURL(`${BASE_URL}/admin`);
}

/** Designates a menu from its editor page, unless it already is. */
async function designate(page, id, button) {
  await page.goto(`${BASE_URL}/admin/richmenus/${id}`);
  const designateButton = page.getByRole('button', { name: button });
  if (await designateButton.isEnabled()) {
    await designateButton.click();
    await page.getByRole('status').first().waitFor();
  }
}

/** The emergency switch, through whatever confirmation the console asks for. */
async function switchMenu(page, button, reason, shown) {
  await page.goto(`${BASE_URL}/admin/emergency`);
  await page.getByLabel(/切り替える理由/).fill(reason);
  await page.getByRole('button', { name: button }).click();
  for (let i = 0; i < 3; i++) {
    await page.waitForLoadState();
    if ((await page.getByRole('status').allInnerTexts()).includes(shown)) return;
    const confirm = page.getByRole('button', { name: /切り替える|戻す/ }).last();
    if (await confirm.isVisible()) await confirm.click();
  }
  assert.ok((await page.getByRole('status').allInnerTexts()).includes(shown), `the console says ${shown}`);
}

test('the simulator sends media, draws the rich menu and fits a phone', { timeout: 180_000 }, async (t) => {
  const { context, page, cspViolations } = await clerkBrowser(t);
  const clerk = await context.newPage();
  const step = steps(t, page, 'simulator-');

  await step('the console keeps the default menus as 通常 and 緊急', async () => {
    await signIn(clerk);
    await designate(clerk, 'default-normal', '通常用に指定');
    await designate(clerk, 'default-emergency', '緊急用（災害時）に指定');
    await clerk.goto(`${BASE_URL}/admin/emergency`);
    const facts = await clerk.locator('dl.facts').innerText();
    assert.match(facts, /通常メニュー（初期設定）/);
    assert.match(facts, /緊急メニュー（初期設定）/);
  });

  await step('a citizen is added and follows the account', async () => {
    await page.goto(`${BASE_URL}/simulator`);
    await page.getByLabel('新しい市民の名前').fill('小浜 三郎');
    await page.getByRole('button', { name: '市民を追加' }).click();
    await page.getByRole('status').filter({ hasText: '小浜 三郎 さんを追加しました' }).waitFor();
    assert.equal(await page.getByRole('button', { name: '小浜 三郎' }).getAttribute('aria-pressed'), 'true');
    await page.getByRole('button', { name: '友だち追加' }).click();
    await page.locator('.bubble.from-bot').first().waitFor();
  });

  await step('an image and a sticker reach the bot; a refused file is explained beside its button', async () => {
    const imageForm = page.locator('#image-form');
    await page.getByLabel(/^画像ファイル/).setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PHOTO });
    await imageForm.getByRole('button', { name: '画像を送信' }).click();
    await imageForm.locator('.result').filter({ hasText: '送信しました' }).waitFor();
    // The citizen's bubble shows the photo itself, described by what was sent.
    await page.locator('.bubble.from-citizen img[alt*="画像"]').first().waitFor();

    const stickerForm = page.locator('#sticker-form');
    await stickerForm.getByRole('button', { name: 'スタンプを送信' }).click();
    await stickerForm.locator('.result').filter({ hasText: '送信しました' }).waitFor();
    await page.locator('.bubble.from-citizen').filter({ hasText: 'スタンプ' }).waitFor();

    await page.getByLabel(/^画像ファイル/).setInputFiles({ name: 'anim.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') });
    await imageForm.getByRole('button', { name: '画像を送信' }).click();
    const refusal = imageForm.locator('.result.error');
    await refusal.filter({ hasText: 'JPEGまたはPNGの画像を選んでください' }).waitFor();
    assert.equal(await page.locator('#status.error').count(), 0, 'the refusal is not shown away from the button');
  });

  await step('the default menu is drawn and a tap sends its postback', async () => {
    const panel = page.getByRole('group', { name: 'リッチメニュー' });
    await panel.waitFor();
    const image = panel.locator('img');
    await image.evaluate((img) => img.decode());
    assert.deepEqual(await image.evaluate((img) => [img.naturalWidth, img.naturalHeight]), [2500, 1686]);
    assert.equal(await page.locator('#richmenu-bar').innerText(), 'メニュー ▾');
    const areas = panel.getByRole('button');
    assert.deepEqual(
      await areas.evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))),
      ['今日のごみ', '明日のごみ', '次の収集日', '分別を調べる', 'ごみ通知の設定', '登録内容の確認・変更', '通報する', '通報履歴'],
    );
    // Four areas a row: the third covers the third quarter of the top row.
    const [box, third] = [await image.boundingBox(), await areas.nth(2).boundingBox()];
    assert.ok(Math.abs(third.x - (box.x + box.width / 2)) < 2 && Math.abs(third.width - box.width / 4) < 2, JSON.stringify({ box, third }));
    await panel.getByRole('button', { name: '登録内容の確認・変更' }).click();
    await page.locator('.bubble.from-citizen').filter({ hasText: '登録内容（ポストバック reg:show）' }).waitFor();
    await page.locator('.bubble.from-bot').filter({ hasText: 'まだ登録されていません' }).waitFor();
    await screenshot(page, 'simulator-richmenu.webp', { fullPage: true });
  });

  await step('after the console switches to 緊急, the simulator draws the emergency menu', async () => {
    await switchMenu(clerk, '緊急メニューに切り替える', '訓練（シミュレーターの確認）', '現在、緊急（災害時）メニューを表示しています');
    await page.locator('#richmenu-bar').filter({ hasText: '緊急メニュー ▾' }).waitFor();
    const areas = page.getByRole('group', { name: 'リッチメニュー' }).getByRole('button');
    assert.deepEqual(
      await areas.evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))),
      ['近くの避難所', '登録内容の確認・変更', '今日のごみ'],
    );
    await screenshot(page, 'simulator-emergency.webp', { fullPage: true });
    await switchMenu(clerk, '通常メニューに戻す', '訓練の終了', '現在、通常メニューを表示しています');
    await page.locator('#richmenu-bar').filter({ hasText: /^メニュー ▾$/ }).waitFor();
  });

  await step('at 390×844 the chat column takes the phone\'s width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const chat = await page.locator('section.phone').boundingBox();
    assert.ok(chat.width >= 360, `the chat column is ${chat.width} px wide`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    // The menu bar closes and opens the panel, as in LINE.
    await page.locator('#richmenu-bar').click();
    assert.equal(await page.locator('#richmenu-bar').getAttribute('aria-expanded'), 'false');
    await page.locator('#richmenu-bar').click();
    assert.equal(await page.locator('#richmenu-bar').getAttribute('aria-expanded'), 'true');
    await page.locator('section.phone').scrollIntoViewIfNeeded();
    await screenshot(page, 'simulator-phone.webp');
  });

  await step('no page broke the Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

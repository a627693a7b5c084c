// The LIFF forms (申請・アンケート・予約) as a citizen answers them on a phone (390×844, LINE's
// in-app browser): opened from the simulator, the local run's sample form (【サンプル】, made
// through the form desk on a fresh data folder) is chosen from the list; sent empty, each missing
// answer is named under its field, tied to it with aria-describedby, and focus goes to the first;
// the postal code fills the address, a choice shows the field it conditions, the draft is kept
// and restored on reload; the confirmation screen shows the answers, and sending gives the
// receipt number, which reaches the citizen in LINE (the simulator's chat). Nothing scrolls
// sideways, the page's policy is never broken, and every screen passes the axe gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clerkBrowser, steps, BASE_URL, screenshot } from './lib/clerk.mjs';
import { accessibilityViolations } from './lib/axe.mjs';

const SAMPLE = '【サンプル】健康教室の申込';
const NAME = '遠敷 七子';

async function noSidewaysScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
}

test('a LIFF form on a phone', { timeout: 180_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  await page.setViewportSize({ width: 390, height: 844 });
  const step = steps(t, page, 'forms-liff-');
  let receipt;

  await step('the simulator opens the open forms as its citizen, and the sample is listed', async () => {
    const made = await fetch(`${BASE_URL}/simulator/api/citizens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: NAME }),
    });
    assert.equal(made.status, 201);
    await page.goto(`${BASE_URL}/simulator`);
    await page.getByRole('button', { name: NAME }).click();
    const link = page.locator('#liff-forms');
    await link.waitFor();
    const href = await link.getAttribute('href');
    assert.match(href, /^\/simulator\/liff\/forms\?userId=U[0-9a-f]{32}$/);
    await page.goto(`${BASE_URL}${href}`);
    await page.getByRole('link', { name: SAMPLE }).waitFor();
    assert.equal((await page.locator('#status').innerText()).trim(), '');
    assert.deepEqual(await accessibilityViolations(page), []);
    await page.getByRole('link', { name: SAMPLE }).click();
    await page.locator('#f-name').waitFor();
    assert.equal(await page.locator('#title').innerText(), SAMPLE);
    await noSidewaysScroll(page);
  });

  await step('sent empty, each missing answer is named under its field and focus goes to the first', async () => {
    await page.getByRole('button', { name: '確認する' }).click();
    assert.equal(await page.locator('#err-name').innerText(), '入力してください。');
    assert.equal(await page.locator('#err-postal').innerText(), '入力してください。');
    assert.equal(await page.locator('#err-consent').innerText(), '同意していただく必要があります。');
    assert.equal(await page.locator('#f-name').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#f-name').getAttribute('aria-describedby'), /err-name/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-name');
    assert.match(await page.getByRole('alert').innerText(), /入力内容を確認してください/);
    assert.ok(await page.locator('#wrap-other').isHidden(), 'その他の内容 waits for its choice');
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  await step('the citizen fills the form: the postal code fills the address, a choice shows its field', async () => {
    await page.getByLabel(/^お名前/).fill(NAME);
    await page.getByLabel(/^郵便番号/).fill('917-0078');
    await page.getByLabel(/^郵便番号/).press('Tab');
    await page.locator('#status').filter({ hasText: '郵便番号から住所を入力しました' }).waitFor();
    const address = await page.getByLabel(/^住所/).inputValue();
    assert.match(address, /^福井県小浜市/);
    await page.getByLabel(/^住所/).fill(`${address}6-3`);
    await page.getByRole('radio', { name: 'その他' }).check();
    await page.locator('#wrap-other').waitFor({ state: 'visible' });
    await page.getByLabel(/^その他の内容/).fill('親子で参加したい');
    await page.getByRole('checkbox', { name: '同意する' }).check();
    await page.locator('#draft-state').filter({ hasText: '入力途中の内容を保存しました' }).waitFor();
    // Each message went away as its field was put right.
    assert.deepEqual(await page.locator('.field-error:visible').allInnerTexts(), []);
    assert.equal(await page.locator('#f-name').getAttribute('aria-invalid'), null);
    await noSidewaysScroll(page);
    await screenshot(page, 'forms-liff.webp', { fullPage: true });
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  await step('the draft is restored when the page is opened again', async () => {
    await page.reload();
    await page.locator('#f-name').waitFor();
    assert.equal(await page.getByLabel(/^お名前/).inputValue(), NAME);
    assert.equal(await page.getByLabel(/^その他の内容/).inputValue(), '親子で参加したい');
    assert.ok(await page.getByRole('checkbox', { name: '同意する' }).isChecked());
    assert.match(await page.locator('#status').innerText(), /入力途中の内容/);
  });

  await step('the confirmation screen shows the answers', async () => {
    await page.getByRole('button', { name: '確認する' }).click();
    await page.locator('#confirm').waitFor({ state: 'visible' });
    const summary = await page.locator('#summary').innerText();
    assert.match(summary, new RegExp(NAME));
    assert.match(summary, /親子で参加したい/);
    assert.match(summary, /同意する/);
    assert.ok(await page.locator('#answer-form').isHidden());
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  await step('sending gives the receipt number', async () => {
    await page.getByRole('button', { name: '送信する' }).click();
    await page.locator('#done').waitFor({ state: 'visible' });
    receipt = (await page.locator('#receipt-number').innerText()).trim();
    assert.match(receipt, /^F\d{4}-\d{4}$/);
    assert.match(await page.locator('#status').innerText(), new RegExp(receipt));
    await noSidewaysScroll(page);
    assert.deepEqual(await accessibilityViolations(page), []);
  });

  await step('the receipt reaches the citizen in LINE (the simulator\'s chat)', async () => {
    await page.goto(`${BASE_URL}/simulator`);
    await page.getByRole('button', { name: NAME }).click();
    const bubble = page.locator('.bubble.from-bot').filter({ hasText: `受付番号: ${receipt}` });
    await bubble.waitFor();
    assert.match(await bubble.innerText(), /参加コース: その他/);
  });

  await step('the pages broke no rule of their Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

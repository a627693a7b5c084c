// The LIFF registration form as a citizen sees it on a phone (390×844, LINE's in-app browser):
// once the questions are drawn no 「読み込んでいます…」 is left, every question offers 「回答しない」
// once, the buttons are legible (contrast at least 4.5:1) and nothing scrolls sideways.
//
// Run by scripts/browser-test on the same local run as the others; the citizen is made through
// the simulator's API and the form is opened through the simulator, which hands it an ID token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clerkBrowser, steps, BASE_URL, screenshot } from './lib/clerk.mjs';

/** WCAG's contrast ratio of two CSS `rgb(…)` colours. */
function contrast(a, b) {
  const luminance = (css) => {
    const [r, g, b] = css.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('the LIFF registration form on a phone', { timeout: 120_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  await page.setViewportSize({ width: 390, height: 844 });
  const step = steps(t, page, 'liff-');

  await step('the form loads its questions and says nothing is still loading', async () => {
    const response = await fetch(`${BASE_URL}/simulator/api/citizens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '加斗 四郎' }),
    });
    const citizen = await response.json();
    await page.goto(`${BASE_URL}/simulator/liff/registration?userId=${citizen.userId}`);
    await page.locator('#fields fieldset').first().waitFor();
    assert.equal((await page.locator('#status').innerText()).trim(), '');
    assert.ok(await page.getByRole('button', { name: '保存する' }).isVisible());
  });

  await step('every one-answer question offers 「回答しない」 exactly once', async () => {
    const sets = page.locator('#fields fieldset');
    const gender = sets.filter({ has: page.locator('legend', { hasText: '性別' }) });
    assert.equal(await gender.count(), 1, 'the form asks 性別');
    for (const set of await sets.all()) {
      const legend = await set.locator('legend').innerText();
      const labels = (await set.locator('label').allInnerTexts()).map((l) => l.trim());
      assert.ok(labels.filter((l) => l === '回答しない').length <= 1, `${legend}: ${labels.join(' / ')}`);
    }
    assert.equal(await gender.getByText('回答しない', { exact: true }).count(), 1);
  });

  await step('an answer is saved, and the buttons are legible and fit the phone', async () => {
    await page.locator('#fields fieldset').first().locator('input').first().check();
    await page.getByRole('button', { name: '保存する' }).click();
    await page.locator('#status').filter({ hasText: '保存しました。' }).waitFor();
    for (const name of ['保存する', '登録内容を削除する']) {
      const [color, background] = await page.getByRole('button', { name }).evaluate((b) => {
        const s = getComputedStyle(b);
        return [s.color, s.backgroundColor];
      });
      const ratio = contrast(color, background);
      assert.ok(ratio >= 4.5, `${name}: ${color} on ${background} is ${ratio.toFixed(2)}:1`);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await screenshot(page, 'registration-liff.webp', { fullPage: true });
  });

  await step('no page broke the Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

// ごみカレンダー as a clerk of 環境衛生課 uses it, in headless Chromium at the clerks' VDI screen
// size: read a district's month, change a rule, stop collection for a snow day, and set the
// notice times and wording. Each step checks the page the clerk then sees.
//
// Run by scripts/browser-test (after console.test.mjs, on the same local run), which passes
// BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD and SCREENSHOT_DIR. Dates are taken from today so that
// the suspension stays "current or future" whenever the test runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot } from './lib/clerk.mjs';

const DISTRICT = '雲浜';
const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];

/** A date as the console's ids and date fields write it (YYYY-MM-DD), in UTC arithmetic. */
function iso(date) {
  return date.toISOString().slice(0, 10);
}

/**
 * The first Thursday at least three weeks ahead (in Japan) outside the year-end pause and not
 * on a holiday the sample might move: 雲浜's 燃やすごみ day in the sample calendar.
 */
function snowDay() {
  const day = new Date(Date.now() + 9 * 3600 * 1000);
  day.setUTCHours(0, 0, 0, 0);
  day.setUTCDate(day.getUTCDate() + 21);
  while (day.getUTCDay() !== 4 || day.getUTCMonth() === 11 && day.getUTCDate() > 25 || day.getUTCMonth() === 0 && day.getUTCDate() < 8) {
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return day;
}

async function successMessage(page) {
  const flash = page.getByRole('status').first();
  await flash.waitFor();
  return (await flash.innerText()).trim();
}

/** The kinds shown as chips in the grid cell of `date` (YYYY-MM-DD). */
async function chipsOn(page, date) {
  return page.locator(`#day-${date} .chip`).evaluateAll((chips) => chips.map((c) => c.dataset.kind));
}

/** Opens the month of `date` for the district through the view's own form. */
async function showMonth(page, date) {
  await page.getByRole('link', { name: 'カレンダー表示' }).click();
  await page.locator('#f-district').selectOption(DISTRICT);
  await page.locator('#f-month').fill(date.slice(0, 7));
  await page.getByRole('button', { name: '表示', exact: true }).click();
  const [y, m] = date.split('-').map(Number);
  await page.getByText(`${DISTRICT}地区　${y}年${m}月`).waitFor();
}

/** Every day of the month on screen with its weekday (0 = Sunday) and chips. */
async function monthCells(page) {
  return page.locator('table.month td[id^="day-"]').evaluateAll((cells) =>
    cells.map((td) => ({
      date: td.id.slice(4),
      weekday: new Date(`${td.id.slice(4)}T00:00:00Z`).getUTCDay(),
      kinds: [...td.querySelectorAll('.chip')].map((c) => c.dataset.kind),
    })));
}

test('the garbage calendar, as a clerk keeps it', { timeout: 240_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);

  const step = steps(t, page, 'garbage-');
  const snow = snowDay();
  const snowIso = iso(snow);
  const snowJa = `${snow.getUTCMonth() + 1}月${snow.getUTCDate()}日（${WEEKDAYS_JA[snow.getUTCDay()]}）`;

  await step('the calendar view shows the sample banner and a district month with coloured kinds', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: 'ごみカレンダー' }).click();
    await page.waitForURL(`${BASE_URL}/admin/garbage`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'ごみカレンダー');
    assert.match(await page.getByRole('note').innerText(), /サンプルデータです。小浜市の実際の収集日ではありません。/);
    await showMonth(page, snowIso);
    const headers = await page.locator('table.month thead th').allInnerTexts();
    assert.deepEqual(headers.map((h) => h.trim()), WEEKDAYS_JA);
    assert.ok((await chipsOn(page, snowIso)).includes('燃やすごみ'), 'Thursday is 燃やすごみ in 雲浜');
    const cells = await monthCells(page);
    assert.ok(cells.filter((c) => c.kinds.includes('燃やすごみ')).every((c) => c.weekday === 1 || c.weekday === 4),
      'the sample collects 燃やすごみ on 月 and 木 only');
    assert.ok(await page.getByRole('list', { name: 'ごみの種類と色' }).getByText('プラスチック製容器包装').isVisible());
    await screenshot(page, 'garbage-calendar.webp');
  });

  await step('a rule edit moves 燃やすごみ to Wednesdays in the grid', async () => {
    await page.getByRole('link', { name: 'ルール編集' }).click();
    await page.locator('#f-pick-district').selectOption(DISTRICT);
    await page.locator('#f-pick-kind').selectOption('燃やすごみ');
    await page.getByRole('button', { name: 'この組み合わせを編集' }).click();
    assert.equal(await page.getByRole('heading', { level: 2 }).first().innerText(), `${DISTRICT}地区の「燃やすごみ」`);
    const weekly = page.getByRole('group', { name: '毎週（曜日）' });
    assert.ok(await weekly.getByLabel('月曜日').isChecked());
    await weekly.getByLabel('月曜日').uncheck();
    await weekly.getByLabel('木曜日').uncheck();
    await weekly.getByLabel('水曜日').check();
    await screenshot(page, 'garbage-rules.webp');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    assert.equal(await successMessage(page), `${DISTRICT}地区の「燃やすごみ」の収集日を保存しました。`);
    assert.ok(await page.getByRole('group', { name: '毎週（曜日）' }).getByLabel('水曜日').isChecked(), 'the saved rule reloads');

    await showMonth(page, snowIso);
    const cells = await monthCells(page);
    const burnable = cells.filter((c) => c.kinds.includes('燃やすごみ'));
    assert.ok(burnable.length >= 3, 'Wednesdays carry 燃やすごみ now');
    assert.ok(burnable.every((c) => c.weekday !== 1 && c.weekday !== 4), 'no Monday or Thursday is left');
  });

  await step('a snow-day suspension pre-fills the citizens\' message and shows in the list and grid', async () => {
    await page.getByRole('link', { name: '収集中止' }).click();
    const districts = page.getByRole('group', { name: '地区' });
    await districts.getByLabel('次の地区だけ：').check();
    await districts.getByLabel(DISTRICT, { exact: true }).check();
    await page.getByLabel('中止する日（期間の始まり）').fill(snowIso);
    await page.getByLabel('理由').fill('大雪');
    await page.getByRole('button', { name: '文面を作り直す' }).click();
    const message = `大雪のため、${snowJa}の${DISTRICT}地区のごみ収集は中止します。`;
    assert.equal(await page.getByLabel('市民に送る文面').inputValue(), message);
    await screenshot(page, 'garbage-suspension.webp', { fullPage: true });
    await page.getByRole('button', { name: '収集中止を設定' }).click();
    assert.match(await successMessage(page), /^収集中止を設定しました：/);
    const row = page.locator('#suspensions tbody tr');
    assert.equal(await row.count(), 1);
    assert.match(await row.innerText(), new RegExp(`${snowJa.replace(/[（）]/g, '.')}[\\s\\S]*${DISTRICT}[\\s\\S]*大雪[\\s\\S]*${message}`));

    await showMonth(page, snowIso);
    const cell = page.locator(`#day-${snowIso}`);
    assert.match(await cell.innerText(), /収集中止[\s\S]*大雪/);
  });

  await step('the notice settings save their times, an off kind and new wording', async () => {
    await page.getByRole('link', { name: 'お知らせ設定' }).click();
    assert.equal(await page.getByLabel('当日朝の時刻').inputValue(), '06:30');
    assert.equal(await page.getByLabel('前日夜の時刻').inputValue(), '19:00');
    await page.getByLabel('当日朝の時刻').fill('06:45');
    const table = page.locator('#kind-notices');
    await table.getByRole('row', { name: /粗大ごみ/ }).getByLabel('知らせる').uncheck();
    await table.getByLabel('燃やすごみの文面').fill('今日は燃やすごみの日です。朝8時30分までに出してください。');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    assert.match(await successMessage(page), /^お知らせ設定を保存しました：配信する、当日朝06:45、前日夜19:00、知らせない種類：粗大ごみ/);
    await page.reload();
    assert.equal(await page.getByLabel('当日朝の時刻').inputValue(), '06:45');
    assert.equal(await table.getByRole('row', { name: /粗大ごみ/ }).getByLabel('知らせる').isChecked(), false);
    assert.equal(await table.getByLabel('燃やすごみの文面').inputValue(), '今日は燃やすごみの日です。朝8時30分までに出してください。');
    await screenshot(page, 'garbage-notices.webp');
  });

  await step('the import and export tab offers the 5374 files and the holiday CSV', async () => {
    await page.getByRole('link', { name: '取込・書出' }).click();
    const links = await page.locator('#export-links a').allInnerTexts();
    assert.deepEqual(links, ['area_days.csv', 'center.csv', 'description.csv', 'target.csv']);
    const csv = await page.request.get(`${BASE_URL}/admin/garbage/export/area_days.csv`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    const body = (await csv.body()).toString('utf8');
    assert.match(body, /^\uFEFF地区,センター,燃やすごみ,/);
    assert.match(body, new RegExp(`\\r\\n${DISTRICT},[^,]*,水\\r?\\n?`), 'the edited rule is exported');
    assert.match(await page.locator('#holiday-facts').innerText(), /システムに同梱の版/);
    await screenshot(page, 'garbage-data.webp');
  });

  await step('no page broke the Content-Security-Policy, and the chips are in their colours', async () => {
    await page.goto(`${BASE_URL}/admin/garbage`);
    const painted = await page.locator('.legend .chip').evaluateAll((chips) =>
      chips.map((c) => [c.dataset.colour, getComputedStyle(c).backgroundColor]));
    assert.ok(painted.length > 0, 'the legend lists the kinds');
    for (const [colour, background] of painted) {
      const hex = colour.length === 4 ? colour.replace(/[0-9a-f]/gi, (d) => d + d) : colour;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      assert.equal(background, `rgb(${r}, ${g}, ${b})`, colour);
    }
    assert.deepEqual(cspViolations, []);
  });
});

// 子育て情報 as a clerk sets it up and a parent registers, at the clerks' VDI screen size: the
// clerk adds 生後2か月 予防接種 (a link without https refused first, what was typed kept) and sets
// the send time; a simulator citizen then sends 「子育て」, gets LINE's date pickers limited to what
// the registry accepts, registers a child by birth month and sees it listed. Screenshots:
// childcare-list, childcare-stage.
//
// Run by scripts/browser-test against the same local run as the other files, after
// console.test.mjs (whose usage totals expect no other citizen yet; hence the file's name). The
// stage's number carries this run's mark, so stages other runs left on the same data do not matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot, api } from './lib/clerk.mjs';

const RUN = randomBytes(2).toString('hex');
const STAGE_ID = `vaccine-2m-${RUN}`;
const TITLE = `生後2か月 予防接種（${RUN}）`;
const TEXT = '生後2か月になりました。予防接種（ヒブ・小児用肺炎球菌など）が始まります。母子健康手帳の予診票をご確認ください。';

async function send(userId, event) {
  const before = (await api('GET', `/simulator/api/conversation?userId=${userId}`)).length;
  assert.equal((await api('POST', '/simulator/api/events', { userId, ...event })).webhookStatus, 200);
  const entries = await api('GET', `/simulator/api/conversation?userId=${userId}`);
  return entries.slice(before).filter((e) => e.from === 'bot').flatMap((e) => e.messages);
}

test('子育て情報: the clerk schedules a stage and a parent registers a child', { timeout: 240_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  const step = steps(t, page, 'childcare-');

  await step('the clerk adds a stage; a link without https is refused with what was typed kept', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '子育て情報', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/childcare`);
    await page.getByRole('link', { name: '段階を追加' }).click();
    await page.getByLabel('番号').fill(STAGE_ID);
    await page.getByLabel('見出し').fill(TITLE);
    await page.getByRole('radio', { name: '生後・年齢' }).check();
    await page.getByLabel('年齢のか月（生後・年齢）').fill('2');
    await page.getByLabel('本文').fill(TEXT);
    await page.getByLabel('リンク（任意）').fill('http://www1.city.obama.fukui.jp/');
    await page.getByRole('button', { name: '追加', exact: true }).click();
    await page.locator('#error-summary').waitFor();
    assert.match(await page.locator('#error-summary').innerText(), /https:\/\//);
    assert.equal(await page.getByLabel('見出し').inputValue(), TITLE);
    assert.equal(await page.getByLabel('本文').inputValue(), TEXT);
    await page.getByLabel('リンク（任意）').fill('https://www1.city.obama.fukui.jp/');
    await screenshot(page, 'childcare-stage.webp', { fullPage: true });
    await page.getByRole('button', { name: '追加', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/childcare`);
    assert.match(await page.getByRole('status').first().innerText(), /を追加しました/);
    const row = page.getByRole('row').filter({ hasText: STAGE_ID });
    assert.match(await row.innerText(), /生後2か月/);
  });

  await step('the clerk sets the send time', async () => {
    await page.getByLabel('毎日の配信時刻（日本時間）').fill('10:00');
    await page.getByRole('button', { name: '配信時刻を保存' }).click();
    await page.waitForURL(`${BASE_URL}/admin/childcare`);
    assert.match(await page.getByRole('status').first().innerText(), /配信時刻を10:00にしました/);
    await screenshot(page, 'childcare-list.webp', { fullPage: true });
  });

  await step('a parent registers a child by birth month with LINE date picker', async () => {
    const { userId } = await api('POST', '/simulator/api/citizens', { name: `子育て 花子${RUN}` });
    await send(userId, { kind: 'follow' });
    const menu = await send(userId, { kind: 'text', text: '子育て' });
    const actions = menu.at(-1).quickReply.items.map((i) => i.action);
    assert.deepEqual(actions.map((a) => a.label), ['生まれた年月で登録', '出産予定日で登録', '配信を止める']);
    const born = actions[0];
    assert.equal(born.type, 'datetimepicker');
    assert.equal(born.mode, 'date');
    const today = born.max;
    const [y, m] = today.split('-').map(Number);
    const earlier = m > 2 ? `${y}-${String(m - 2).padStart(2, '0')}-15` : `${y - 1}-${String(m + 10).padStart(2, '0')}-15`;
    const said = await send(userId, { kind: 'postback', data: born.data, displayText: born.label, params: { date: earlier } });
    const [ey, em] = earlier.split('-').map(Number);
    assert.match(said.at(-1).text, new RegExp(`「${ey}年${em}月生まれ」のお子さんを登録しました。`));
    assert.match(said.at(-1).text, /登録中のお子さん：/);
  });

  assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations');
});

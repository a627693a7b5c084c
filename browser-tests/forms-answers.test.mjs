// フォームの回答: what the clerk does with the answers citizens sent, at the clerks' VDI screen
// size. The clerk first builds a small reservation form (one slot); three simulator citizens,
// registered in 雲浜 and 小浜, answer the local run's sample form (【サンプル】健康教室の申込)
// through the LIFF page on a phone with different courses, and one of them also reserves the
// slot. The clerk then sees the new answers on the menu's フォーム badge; on the answers list
// searches (a non-personal answer finds its answer, a name never does) and filters by status;
// on one answer reveals the personal values (hidden until asked), fills the staff-only
// 受付メモ, moves it to 完了 (the citizen is told in LINE) and writes a memo; moves the other
// two to 対応中 at once on the list; cancels the reservation after the confirmation (the
// citizen is told in LINE); and reads the analysis: bar and pie charts with the right counts
// and a cross-tabulation by 居住地区. Screenshots: forms-answers, forms-answer, forms-analysis.
//
// Counts are compared with what the pages said before the citizens answered, so answers other
// test files left on the same local run do not matter.
//
// Run by scripts/browser-test after console.test.mjs, against the same local run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot, confirmAction, api } from './lib/clerk.mjs';
import { accessibilityViolations } from './lib/axe.mjs';
import { watchCsp } from './lib/csp.mjs';

const RUN = randomBytes(2).toString('hex');
const SAMPLE = '【サンプル】健康教室の申込';
const RESERVATION = `健康相談の予約 ${RUN}`;
const STAFF_NOTE = `電話で受付を確認済み ${RUN}`;
const MEMO = `教室の資料を郵送 ${RUN}`;
const RECEIPT = /^F\d{4}-\d{4}$/;

// Who answers, with what: the course is an ordinary answer (searchable, counted), the name and
// phone are personal (hidden, never searched).
const CITIZENS = [
  { key: 'undo', name: `雲浜 運子${RUN}`, district: '雲浜', age: '40代', course: '運動', phone: '0770-53-1111' },
  { key: 'shoku', name: `小浜 食男${RUN}`, district: '小浜', age: '30代', course: '食事' },
  { key: 'yoyaku', name: `雲浜 予約${RUN}`, district: '雲浜', age: '30代', course: '運動', reserves: true },
];

/** A simulator citizen who follows the account and registered 年代 and 居住地区 (LIFF API). */
async function registeredCitizen({ name, age, district }) {
  const c = await api('POST', '/simulator/api/citizens', { name });
  assert.equal((await api('POST', '/simulator/api/events', { userId: c.userId, kind: 'follow' })).webhookStatus, 200);
  const opened = await fetch(`${BASE_URL}/simulator/liff/registration?userId=${c.userId}`, { redirect: 'manual' });
  const token = new URL(opened.headers.get('location'), BASE_URL).searchParams.get('id_token');
  const saved = await fetch(`${BASE_URL}/api/registration`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ values: { age_group: [age], district: [district] } }),
  });
  assert.equal(saved.status, 200, await saved.text());
  return c.userId;
}

/** What the bot said to `userId` so far, as text (every message's JSON). */
async function botSaid(userId) {
  const entries = await api('GET', `/simulator/api/conversation?userId=${userId}`);
  return entries.filter((e) => e.from === 'bot').map((e) => JSON.stringify(e.messages));
}

/** Waits until the bot has said something matching every pattern in one message. */
async function waitForBot(userId, patterns) {
  for (let i = 0; i < 100; i += 1) {
    const found = (await botSaid(userId)).find((s) => patterns.every((p) => p.test(s)));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`the bot never said ${patterns.join(' + ')} to ${userId}: ${(await botSaid(userId)).join('\n')}`);
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The citizen's phone: a page of its own (its own browser context), opened on the LIFF forms
 * list through the simulator, watched for CSP violations; every screen is checked with axe.
 */
async function citizenPhone(browser, userId) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  context.setDefaultTimeout(15_000);
  const violations = watchCsp(context);
  const phone = await context.newPage();
  await phone.goto(`${BASE_URL}/simulator/liff/forms?userId=${userId}`);
  return { context, phone, violations };
}

/** Confirms and sends the LIFF form as filled; answers the receipt number. */
async function send(phone) {
  await phone.getByRole('button', { name: '確認する' }).click();
  await phone.locator('#confirm').waitFor({ state: 'visible' });
  assert.deepEqual(await accessibilityViolations(phone), []);
  await phone.getByRole('button', { name: '送信する' }).click();
  await phone.locator('#done').waitFor({ state: 'visible' });
  const receipt = (await phone.locator('#receipt-number').innerText()).trim();
  assert.match(receipt, RECEIPT);
  assert.deepEqual(await accessibilityViolations(phone), []);
  return receipt;
}

/** Answers the sample form through the LIFF page; answers the receipt number. */
async function answerSample(phone, who) {
  await phone.getByRole('link', { name: SAMPLE }).click();
  await phone.locator('#f-name').waitFor();
  await phone.getByLabel(/^お名前/).fill(who.name);
  await phone.getByLabel(/^郵便番号/).fill('917-0078');
  await phone.getByLabel(/^郵便番号/).press('Tab');
  await phone.locator('#status').filter({ hasText: '郵便番号から住所を入力しました' }).waitFor();
  const address = await phone.getByLabel(/^住所/).inputValue();
  await phone.getByLabel(/^住所/).fill(`${address}6-3`);
  if (who.phone) await phone.getByLabel(/^電話番号/).fill(who.phone);
  await phone.getByRole('radio', { name: who.course, exact: true }).check();
  await phone.getByRole('checkbox', { name: '同意する' }).check();
  assert.deepEqual(await accessibilityViolations(phone), []);
  return send(phone);
}

/** Reserves the reservation form's only slot through the LIFF page; answers the receipt. */
async function reserve(phone) {
  await phone.getByRole('link', { name: RESERVATION }).click();
  await phone.locator('#group-slot').waitFor();
  await phone.getByRole('radio', { name: '血圧', exact: true }).check();
  await phone.locator('#slot-0').check();
  return send(phone);
}

/** The counts table of a question on the analysis page: { choice: count }. */
async function choiceCounts(page, field) {
  const rows = await page.locator(`#q-${field} table.counts tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
  return Object.fromEntries(rows.map(([choice, count]) => [choice, Number(count)]));
}

/** The cross-tabulation: { row label: { column: count } } (empty when none is shown). */
async function crossCounts(page) {
  if ((await page.locator('#cross-tab').count()) === 0) return {};
  const header = await page.locator('#cross-tab thead th').allInnerTexts();
  const rows = await page.locator('#cross-tab tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
  return Object.fromEntries(rows.map(([label, ...counts]) =>
    [label, Object.fromEntries(header.slice(1).map((h, i) => [h.trim(), Number(counts[i])]))]));
}

/** The number in 「集計した回答 N 件」. */
async function analysed(page) {
  return Number((await page.locator('#analysis-count').innerText()).match(/(\d+)\s*件/)[1]);
}

/** The menu's 新着 count on the current page (0 without the badge). */
async function badge(page) {
  const b = page.locator('#forms-new-badge');
  if ((await b.count()) === 0) return 0;
  return Number((await b.innerText()).replace(/\D/g, ''));
}

/** The receipt numbers the answers table shows. */
async function listedReceipts(page) {
  if ((await page.locator('#answers').count()) === 0) return [];
  return (await page.locator('#answers tbody tr td:nth-child(2)').allInnerTexts()).map((s) => s.trim());
}

/** Submits the answers list's filter form with `q` and `status` (a label; '' for すべて). */
async function filterAnswers(page, q, status) {
  await page.locator('#f-q').fill(q);
  await page.locator('#f-status').selectOption(status ? { label: status } : { index: 0 });
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '絞り込む' }).click()]);
}

test('forms: the clerk handles and analyses the answers citizens sent', { timeout: 300_000 }, async (t) => {
  const { context, page, cspViolations } = await clerkBrowser(t);
  const step = steps(t, page, 'forms-answers-');
  const browser = context.browser();
  const phoneViolations = [];
  const receipts = {};
  const users = {};
  let samplePath;
  let reservationPath;
  let before;

  const press = async (name) =>
    Promise.all([page.waitForNavigation(), page.getByRole('button', { name, exact: true }).click()]);

  await step('the clerk signs in and notes the sample form\'s counts so far', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.goto(`${BASE_URL}/admin/forms`);
    const href = await page.locator('#forms tbody tr').filter({ hasText: SAMPLE }).getByRole('link', { name: SAMPLE }).getAttribute('href');
    samplePath = href.replace(/\/answers$/, '');
    await page.goto(`${BASE_URL}${samplePath}/analysis?question=course&by=district`);
    before = { badge: await badge(page), answers: await analysed(page), course: await choiceCounts(page, 'course'), cross: await crossCounts(page) };
  });

  await step('the clerk builds and publishes a reservation form with one slot', async () => {
    await page.goto(`${BASE_URL}/admin/forms/new`);
    await page.locator('#f-title').fill(RESERVATION);
    await page.locator('#f-kind').selectOption('reservation');
    await page.locator('#f-new_kind').selectOption('single_choice');
    await press('追加');
    await page.locator('#f-f0-label').fill('相談の内容');
    await page.locator('#f-f0-choices').fill('血圧\n食事');
    await page.locator('#f-f0-required').check();
    await page.locator('#f-new_slot-date').fill('2099-11-20');
    await page.locator('#f-new_slot-start').fill('13:00');
    await page.locator('#f-new_slot-end').fill('13:30');
    await page.locator('#f-new_slot-capacity').fill('3');
    await press('枠を追加');
    await Promise.all([page.waitForNavigation(), page.locator('#save-form').click()]);
    reservationPath = new URL(page.url()).pathname;
    assert.match(reservationPath, /^\/admin\/forms\/[0-9a-f]{32}$/);
    await Promise.all([page.waitForNavigation(), page.locator('#form-state').getByRole('button', { name: '公開する' }).click()]);
    await confirmAction(page, 'フォームを公開する');
    assert.equal(await page.locator('#form-status').innerText(), '公開中');
  });

  await step('three citizens answer the sample on their phones, and one reserves the slot', async () => {
    for (const who of CITIZENS) {
      users[who.key] = await registeredCitizen(who);
      const { context: phoneContext, phone, violations } = await citizenPhone(browser, users[who.key]);
      try {
        await phone.getByRole('link', { name: SAMPLE }).waitFor();
        receipts[who.key] = await answerSample(phone, who);
        if (who.reserves) {
          await phone.goto(`${BASE_URL}/simulator/liff/forms?userId=${users[who.key]}`);
          receipts.reservation = await reserve(phone);
        }
      } finally {
        phoneViolations.push(...violations);
        await phoneContext.close();
      }
    }
    assert.equal(new Set(Object.values(receipts)).size, 4, 'four different receipt numbers');
  });

  await step('the menu\'s フォーム badge counts the four new answers', async () => {
    await page.goto(`${BASE_URL}/admin`);
    assert.equal(await badge(page), before.badge + 4);
    const menu = page.getByRole('navigation', { name: '機能メニュー' });
    await Promise.all([page.waitForNavigation(), menu.getByRole('link', { name: /^フォーム/ }).click()]);
    const row = page.locator('#forms tbody tr').filter({ hasText: SAMPLE });
    assert.match(await row.innerText(), /新着 3/);
  });

  await step('the answers list shows the answers; search finds a course, never a name', async () => {
    await page.goto(`${BASE_URL}${samplePath}/answers`);
    const all = await listedReceipts(page);
    for (const key of ['undo', 'shoku', 'yoyaku']) assert.ok(all.includes(receipts[key]), `${receipts[key]} listed`);
    // Opening the list cleared the sample's new answers: only the reservation's is left.
    assert.equal(await badge(page), before.badge + 1);
    await filterAnswers(page, '食事', '');
    const found = await listedReceipts(page);
    assert.ok(found.includes(receipts.shoku), `食事 finds ${receipts.shoku}: ${found}`);
    assert.ok(!found.includes(receipts.undo) && !found.includes(receipts.yoyaku), `食事 finds only 食事: ${found}`);
    await filterAnswers(page, CITIZENS[0].name, '');
    assert.deepEqual(await listedReceipts(page), [], 'a personal value is never searched');
    assert.match(await page.locator('main').innerText(), /条件に合う回答はありません/);
    await filterAnswers(page, receipts.undo, '');
    assert.deepEqual(await listedReceipts(page), [receipts.undo]);
  });

  await step('the answer hides the personal values until 「個人情報を表示」', async () => {
    await page.goto(`${BASE_URL}${samplePath}/answers?q=${encodeURIComponent(receipts.undo)}`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: receipts.undo, exact: true }).click()]);
    const values = page.locator('#answer-values');
    const hidden = await values.innerText();
    assert.ok(!hidden.includes(CITIZENS[0].name), 'the name is hidden');
    assert.ok(!hidden.includes(CITIZENS[0].phone), 'the phone is hidden');
    assert.match(hidden, /（非表示）/);
    assert.match(hidden, /運動/);
    await press('個人情報を表示');
    const shown = await values.innerText();
    assert.match(shown, new RegExp(escape(CITIZENS[0].name)));
    assert.match(shown, new RegExp(escape(CITIZENS[0].phone)));
    assert.match(shown, /福井県小浜市.*6-3/);
  });

  await step('the staff-only 受付メモ is saved', async () => {
    await page.locator('#f-v-memo').fill(STAFF_NOTE);
    await press('管理者用項目を保存');
    assert.match(await page.locator('.flash.ok').innerText(), /管理者用項目を保存しました/);
    assert.equal(await page.locator('#f-v-memo').inputValue(), STAFF_NOTE);
    // Back to hidden after the save: revealing is for one look, not for the session.
    assert.ok(!(await page.locator('#answer-values').innerText()).includes(CITIZENS[0].name));
  });

  await step('完了 with a memo: the citizen is told in LINE', async () => {
    await page.locator('#f-answer-status').selectOption({ label: '完了' });
    await press('状態を変更');
    assert.match(await page.locator('.flash.ok').innerText(), /状態を「完了」にしました/);
    assert.equal(await page.locator('#answer-status').innerText(), '完了');
    assert.match(await page.locator('#answer-history').innerText(), /受付 → 完了（管理者）/);
    await page.locator('#f-memo').fill(MEMO);
    await press('メモを保存');
    assert.match(await page.locator('.flash.ok').innerText(), /メモを保存しました/);
    assert.equal(await page.locator('#f-memo').inputValue(), MEMO);
    await waitForBot(users.undo, [new RegExp(escape(receipts.undo)), /お申し込みの手続きが完了しました/, new RegExp(escape(SAMPLE))]);
    await screenshot(page, 'forms-answer.webp', { fullPage: true });
  });

  await step('the other two move to 対応中 at once; the status filter and the memo find them', async () => {
    await page.goto(`${BASE_URL}${samplePath}/answers`);
    for (const key of ['shoku', 'yoyaku']) {
      await page.getByRole('checkbox', { name: `${receipts[key]}を選択` }).check();
    }
    await page.locator('#f-bulk-status').selectOption({ label: '対応中' });
    await press('にする');
    assert.match(await page.locator('.flash.ok').innerText(), /2件の状態を「対応中」にしました/);
    for (const key of ['shoku', 'yoyaku']) {
      assert.match(await page.locator('#answers tbody tr').filter({ hasText: receipts[key] }).innerText(), /対応中/);
    }
    await filterAnswers(page, '', '対応中');
    const inProgress = await listedReceipts(page);
    assert.ok(inProgress.includes(receipts.shoku) && inProgress.includes(receipts.yoyaku), `対応中: ${inProgress}`);
    assert.ok(!inProgress.includes(receipts.undo), `対応中 leaves out the 完了 one: ${inProgress}`);
    await filterAnswers(page, MEMO, '');
    assert.deepEqual(await listedReceipts(page), [receipts.undo], 'the memo is searched');
    await filterAnswers(page, '', '');
    await screenshot(page, 'forms-answers.webp');
  });

  await step('the clerk cancels the reservation after the confirmation; the citizen is told in LINE', async () => {
    await page.goto(`${BASE_URL}${reservationPath}/answers`);
    const row = page.locator('#answers tbody tr').filter({ hasText: receipts.reservation });
    assert.match(await row.innerText(), /2099年11月20日/);
    await Promise.all([page.waitForNavigation(), row.getByRole('link', { name: receipts.reservation }).click()]);
    await page.locator('#f-answer-status').selectOption({ label: 'キャンセル' });
    await press('状態を変更');
    const asked = await page.locator('main').innerText();
    assert.match(asked, /キャンセルすると枠が空き/);
    assert.match(asked, new RegExp(escape(receipts.reservation)));
    await confirmAction(page, 'キャンセルする');
    assert.equal(await page.locator('#answer-status').innerText(), 'キャンセル');
    await waitForBot(users.yoyaku, [new RegExp(escape(receipts.reservation)), /担当課によりキャンセルされました/, /予約枠: 2099年11月20日/]);
  });

  await step('the analysis counts the answers in charts and by 居住地区', async () => {
    await page.goto(`${BASE_URL}${samplePath}/analysis`);
    assert.equal(await analysed(page), before.answers + 3);
    const course = page.locator('#q-course');
    assert.equal(await course.locator('svg[aria-label="参加コース（棒グラフ）"]').count(), 1);
    assert.equal(await course.locator('svg[aria-label="参加コース（円グラフ）"]').count(), 1);
    const counts = await choiceCounts(page, 'course');
    assert.equal(counts['運動'], (before.course['運動'] ?? 0) + 2);
    assert.equal(counts['食事'], (before.course['食事'] ?? 0) + 1);
    assert.equal(counts['その他'], before.course['その他'] ?? 0);
    // The bar chart says the same numbers (its row titles).
    const bars = await course.locator('svg[aria-label="参加コース（棒グラフ）"] g > title').allTextContents();
    assert.ok(bars.includes(`運動：${counts['運動']}件`), `bars: ${bars}`);

    await page.locator('#f-cross-question').selectOption({ label: '参加コース' });
    await page.locator('#f-cross-by').selectOption({ label: '居住地区' });
    await press('集計する');
    assert.match(await page.locator('#cross-tab caption').innerText(), /「参加コース」× 居住地区/);
    const cross = await crossCounts(page);
    const was = (district, choice) => before.cross[district]?.[choice] ?? 0;
    assert.equal(cross['雲浜']['運動'], was('雲浜', '運動') + 2, JSON.stringify(cross));
    assert.equal(cross['雲浜']['食事'], was('雲浜', '食事'), JSON.stringify(cross));
    assert.equal(cross['小浜']['食事'], was('小浜', '食事') + 1, JSON.stringify(cross));
    assert.equal(cross['小浜']['運動'], was('小浜', '運動'), JSON.stringify(cross));
    await screenshot(page, 'forms-analysis.webp', { fullPage: true });
  });

  await step('the cancelled reservation is not counted in its form\'s analysis', async () => {
    await page.goto(`${BASE_URL}${reservationPath}/analysis`);
    assert.equal(await analysed(page), 0);
  });

  await step('no page broke its Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
    assert.deepEqual(phoneViolations, []);
  });
});

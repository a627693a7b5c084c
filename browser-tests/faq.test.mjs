// FAQ（自動応答）as a clerk of 市民課 keeps it, at the clerks' VDI screen size: write an FAQ
// (a refused save first), try it in 「応答を試す」; a simulator citizen asks it in everyday
// words in LINE and gets the answer with 「解決しましたか？」, says いいえ, and asks something no
// FAQ answers; the clerk finds both on 未解決の質問 and writes a new FAQ from one of them.
// Screenshots: faq-list, faq-questions.
//
// Run by scripts/browser-test after console.test.mjs, against the same local run. Questions
// carry this run's mark, so FAQs other runs left on the same data do not matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot, api } from './lib/clerk.mjs';

const RUN = randomBytes(2).toString('hex');
const QUESTION = `犬の登録の手続き${RUN}`;
const ANSWER = '犬を飼い始めたら、30日以内に環境衛生課で登録してください（手数料3,000円）。';
const UNANSWERED = `ふるさと納税の返礼品${RUN}はありますか`;

/** What the bot answered to the citizen's last event: its messages. */
async function send(userId, event) {
  const sent = await api('POST', '/simulator/api/events', { userId, ...event });
  assert.equal(sent.webhookStatus, 200);
  const entries = await api('GET', `/simulator/api/conversation?userId=${userId}`);
  const last = entries.filter((e) => e.from === 'bot').at(-1);
  return last ? last.messages : [];
}

async function successMessage(page) {
  const flash = page.getByRole('status').first();
  await flash.waitFor();
  return (await flash.innerText()).trim();
}

test('the FAQ, as a clerk keeps it and a citizen asks it', { timeout: 240_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  const step = steps(t, page, 'faq-');

  await step('the clerk opens FAQ（自動応答）from the menu', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: 'FAQ（自動応答）' }).click();
    await page.waitForURL(`${BASE_URL}/admin/faq`);
    await page.getByRole('heading', { name: '応答を試す' }).waitFor();
  });

  await step('a save without an answer is refused with the problem on its field, the question kept', async () => {
    await page.getByRole('link', { name: '新しいFAQ' }).click();
    await page.getByLabel('質問', { exact: true }).fill(QUESTION);
    await page.getByLabel('言い換え（1行に1つ）').fill(`犬を飼い始めた${RUN}\n飼い犬の登録${RUN}`);
    await page.getByLabel('分類', { exact: true }).fill('手続き');
    await page.getByRole('button', { name: '作成' }).click();
    await page.locator('#error-summary').waitFor();
    assert.match(await page.locator('#error-summary').innerText(), /回答を入力してください/);
    assert.equal(await page.getByLabel('質問', { exact: true }).inputValue(), QUESTION);
  });

  await step('with an answer and a link it is saved and answers in 「応答を試す」', async () => {
    await page.getByLabel('回答', { exact: true }).fill(ANSWER);
    await page.getByLabel('リンクの文字（任意）').fill('犬の登録');
    await page.getByLabel('リンクのURL（任意）').fill('https://www1.city.obama.fukui.jp/');
    await page.getByLabel('担当課（任意）').fill('環境衛生課');
    await page.getByRole('button', { name: '作成' }).click();
    assert.match(await successMessage(page), /FAQを作成しました/);
    await page.getByRole('link', { name: 'FAQの一覧に戻る' }).click();
    await page.getByLabel('市民が送る文').fill(`犬を飼い始めた${RUN}んですが`);
    await page.getByRole('button', { name: '試す' }).click();
    const result = page.locator('#try-result');
    await result.waitFor();
    assert.match(await result.innerText(), new RegExp(`回答：${QUESTION}`));
  });

  let userId;
  await step('a citizen asks in everyday words and gets the answer, the link and 「解決しましたか？」', async () => {
    userId = (await api('POST', '/simulator/api/citizens', { name: `犬の飼い主${RUN}` })).userId;
    await send(userId, { kind: 'follow' });
    const messages = await send(userId, { kind: 'text', text: `犬を飼い始めた${RUN}んですが` });
    assert.equal(messages[0].text, `${ANSWER}\n\n▶ 犬の登録\nhttps://www1.city.obama.fukui.jp/`);
    const ask = messages.at(-1);
    assert.match(ask.text, /^解決しましたか？/);
    const labels = ask.quickReply.items.map((i) => i.action.label);
    assert.deepEqual(labels.slice(0, 2), ['はい', 'いいえ']);
    const no = ask.quickReply.items.find((i) => i.action.label === 'いいえ').action.data;
    const sorry = await send(userId, { kind: 'postback', data: no, displayText: 'いいえ' });
    assert.match(sorry[0].text, /お役に立てず申し訳ありません/);
    const fallback = await send(userId, { kind: 'text', text: UNANSWERED });
    assert.match(fallback[0].text, /個別のお問い合わせにはお答えしておりません/);
  });

  await step('the list shows how often the FAQ answered and whether it helped', async () => {
    await page.goto(`${BASE_URL}/admin/faq?q=${encodeURIComponent(RUN)}`);
    const row = page.locator('#faq-list tbody tr').filter({ hasText: QUESTION });
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[4], '1', 'answered once');
    assert.equal(cells[5], '0／1', 'not helpful once');
    await page.goto(`${BASE_URL}/admin/faq`);
    await screenshot(page, 'faq-list.webp', { fullPage: true });
  });

  await step('未解決の質問 lists both, and an FAQ written from one takes it off the list', async () => {
    await page.getByRole('link', { name: /未解決の質問（\d+件）/ }).click();
    await page.waitForURL(`${BASE_URL}/admin/faq/questions`);
    const table = page.locator('#open-questions');
    const unanswered = table.locator('tbody tr').filter({ hasText: UNANSWERED });
    assert.match(await unanswered.innerText(), /回答なし/);
    const unhelpful = table.locator('tbody tr').filter({ hasText: `犬を飼い始めた${RUN}んですが` });
    assert.match(await unhelpful.innerText(), /解決しなかった/);
    await screenshot(page, 'faq-questions.webp', { fullPage: true });

    await unanswered.getByRole('link', { name: 'FAQを作成' }).click();
    assert.equal(await page.getByLabel('質問', { exact: true }).inputValue(), UNANSWERED);
    await page.getByLabel('回答', { exact: true }).fill('返礼品は、ふるさと納税のポータルサイトでご覧いただけます。');
    await page.getByLabel('分類', { exact: true }).fill('ふるさと納税');
    await page.getByRole('button', { name: '作成' }).click();
    assert.match(await successMessage(page), /元の質問は未解決の一覧から外しました/);
    await page.goto(`${BASE_URL}/admin/faq/questions`);
    assert.equal(await page.locator('#open-questions tbody tr').filter({ hasText: UNANSWERED }).count(), 0);
    // The citizen asking again now gets the new answer.
    const messages = await send(userId, { kind: 'text', text: UNANSWERED });
    assert.match(messages[0].text, /ポータルサイト/);
  });

  assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations');
});

// 相談 as a clerk handles it, at the clerks' VDI screen size: a simulator citizen sends
// 「相談する」, picks 子育て and writes; the bot stays silent while the case is open; the clerk
// finds the case in the inbox, reads the conversation, replies (the citizen receives it in
// LINE), adds an internal note (never sent) and closes the case with a category; the citizen's
// next message is answered by the bot again. Screenshots: consultations-list,
// consultations-case.
//
// Run by scripts/browser-test after console.test.mjs, against the same local run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot, api } from './lib/clerk.mjs';

const RUN = randomBytes(2).toString('hex');
const QUESTION = `来年の保育園の入園について相談したいです（${RUN}）`;
const REPLY = `保育園の入園申込は11月から受け付けています。必要な書類をお送りします（${RUN}）。`;
const NOTE = `電話でも確認する（${RUN}）`;

/** Everything the bot said to `userId` so far, one JSON string per message. */
async function botSaid(userId) {
  const entries = await api('GET', `/simulator/api/conversation?userId=${userId}`);
  return entries.filter((e) => e.from === 'bot').flatMap((e) => e.messages.map((m) => JSON.stringify(m)));
}

async function send(userId, event) {
  const before = (await botSaid(userId)).length;
  assert.equal((await api('POST', '/simulator/api/events', { userId, ...event })).webhookStatus, 200);
  return (await botSaid(userId)).slice(before).map((s) => JSON.parse(s));
}

async function successMessage(page) {
  const flash = page.getByRole('status').first();
  await flash.waitFor();
  return (await flash.innerText()).trim();
}

test('a consultation, as a citizen starts it and a clerk answers it', { timeout: 240_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);
  const step = steps(t, page, 'consultations-');
  let userId;

  await step('the citizen starts a consultation about 子育て and the bot then stays silent', async () => {
    userId = (await api('POST', '/simulator/api/citizens', { name: `相談 花子${RUN}` })).userId;
    await send(userId, { kind: 'follow' });
    const asked = await send(userId, { kind: 'text', text: '相談する' });
    const topics = asked.at(-1).quickReply.items.map((i) => i.action);
    assert.deepEqual(topics.map((a) => a.label), ['子育て', '福祉', 'ごみ', 'その他']);
    const opened = await send(userId, { kind: 'postback', data: topics[0].data, displayText: '子育て' });
    assert.match(JSON.stringify(opened), /相談/);
    const silent = await send(userId, { kind: 'text', text: QUESTION });
    // Nothing but, outside office hours, the note saying when someone will answer.
    for (const m of silent) assert.match(m.text, /受付時間外/);
  });

  await step('the clerk finds the case in the inbox and reads the conversation', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '相談', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/consultations`);
    const row = page.locator('#consultations tbody tr').filter({ hasText: '子ども未来課' }).first();
    assert.match(await row.innerText(), /子育て/);
    await screenshot(page, 'consultations-list.webp', { fullPage: true });
    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: '会話' }).waitFor();
    assert.match(await page.locator('main').innerText(), new RegExp(QUESTION.replace(/[()（）]/g, '.')));
  });

  await step('a reply reaches the citizen in LINE; a note stays with staff', async () => {
    await page.getByLabel('返信（LINEで市民に送られます）').fill(REPLY);
    await page.getByRole('button', { name: '返信を送る' }).click();
    assert.match(await successMessage(page), /返信を送りました/);
    const said = await botSaid(userId);
    assert.ok(said.some((s) => s.includes(REPLY)), 'the reply was pushed to the citizen');
    await page.getByLabel('メモ（職員だけが見ます）').fill(NOTE);
    await page.getByRole('button', { name: 'メモを追加' }).click();
    await page.getByText(NOTE).waitFor();
    assert.ok(!(await botSaid(userId)).some((s) => s.includes(NOTE)), 'a note is never sent');
    await screenshot(page, 'consultations-case.webp', { fullPage: true });
  });

  await step('closed with a category, the bot answers the citizen again', async () => {
    await page.getByLabel('終了区分').selectOption({ label: '解決' });
    await page.getByRole('button', { name: '終了する' }).click();
    await successMessage(page);
    const after = await send(userId, { kind: 'text', text: '登録内容' });
    assert.ok(after.length > 0, 'the bot answers again');
  });

  assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations');
});

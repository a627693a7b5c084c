// The staff console as a clerk uses it, in headless Chromium at the clerks' VDI screen size:
// sign in, give a colleague limited permissions and see the server refuse the rest, build and
// publish a rich menu, switch to the emergency menu and back, read a usage report.
//
// Run by scripts/browser-test, which starts the local run and passes BASE_URL, ADMIN_LOGIN,
// ADMIN_PASSWORD and SCREENSHOT_DIR. The steps share one browser and build on each other, so
// once a step fails the later ones are skipped instead of failing for the same reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { gridImage } from './lib/png.mjs';
import { clerkBrowser, steps, BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, screenshot, confirmAction } from './lib/clerk.mjs';

// The colleague with limited permissions: usage reports only.
const CLERK = {
  login: 'tanaka.k',
  name: '田中 圭',
  department: '企画部 企画政策課',
  password: `Kk-${randomBytes(9).toString('hex')}`,
};
// What the administrator set; the clerk replaces it at the first sign-in.
CLERK.temporary = CLERK.password;
const ROLE = { name: '集計担当', description: '利用状況レポートの閲覧のみ' };

/** Today in Japan, as the console's date inputs and the report compute it. */
function todayInJapan() {
  return new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The viewport, as the clerk sees it; `fullPage` only where the point is below the fold. */
async function signIn(page, login, password) {
  await page.goto(`${BASE_URL}/admin/login`);
  await page.getByLabel('ログインID').fill(login);
  await page.getByLabel('パスワード', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.waitForURL(`${BASE_URL}/admin`);
}

async function signOut(page) {
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await page.waitForURL(/\/admin\/login$/);
  assert.equal(await page.getByRole('status').innerText(), 'ログアウトしました。');
}

/** The one-time message the console shows after a successful form post. */
async function successMessage(page) {
  const flash = page.getByRole('status').first();
  await flash.waitFor();
  return (await flash.innerText()).trim();
}

async function menuLinks(page) {
  return (await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link').allInnerTexts()).map((t) => t.trim());
}

/** What the fake LINE server received (the local run mounts it on the same port). */
async function lineRequests() {
  const response = await fetch(`${BASE_URL}/_line/requests`);
  assert.equal(response.status, 200);
  return response.json();
}

/** The rich menu editor: fills area `n` (its fieldset is labelled エリアn). */
async function setArea(page, n, { kind, value, display = '', label }) {
  const area = page.getByRole('group', { name: `エリア${n}`, exact: true });
  await area.getByLabel('動作').selectOption(kind);
  await area.getByLabel(/^内容/).fill(value);
  await area.getByLabel(/^表示テキスト/).fill(display);
  await area.getByLabel(/^読み上げ用ラベル/).fill(label);
}

/**
 * Creates a menu through the console (layout, image, areas, save) and answers its console id.
 */
async function createMenu(page, { name, barText, layout, image, areas }) {
  await page.goto(`${BASE_URL}/admin/richmenus`);
  await page.getByRole('link', { name: 'メニューを作成' }).click();
  await page.getByLabel('管理用の名前').fill(name);
  await page.getByLabel('メニューバーのテキスト').fill(barText);
  await page.getByRole('radio', { name: layout }).check();
  await page.getByRole('button', { name: '作成して編集へ' }).click();
  await page.waitForURL(/\/admin\/richmenus\/[0-9a-f]{32}$/);
  const id = new URL(page.url()).pathname.split('/').pop();
  assert.match(await successMessage(page), /^作成しました。/);

  await page.getByLabel(/^画像ファイル/).setInputFiles({ name: 'menu.png', mimeType: 'image/png', buffer: image });
  await page.getByRole('button', { name: 'アップロード' }).click();
  assert.equal(await successMessage(page), '画像をアップロードしました。');

  for (const [i, area] of areas.entries()) await setArea(page, i + 1, area);
  await page.getByRole('button', { name: '設定を保存' }).click();
  assert.equal(await successMessage(page), '設定を保存しました。');
  return id;
}

const FULL_PALETTE = [[11, 83, 148], [56, 118, 29], [191, 144, 0], [153, 0, 0], [103, 78, 167], [69, 129, 142]];
const NORMAL_MENU = {
  name: '通常メニュー（2026年度）',
  barText: 'メニュー',
  layout: /大・6分割/,
  image: gridImage(2500, 1686, 3, 2, FULL_PALETTE),
  areas: [
    { kind: 'message', value: '今日のごみ', label: '今日のごみ' },
    { kind: 'uri', value: 'https://www.city.obama.fukui.jp/', label: '市のホームページ' },
    { kind: 'postback', value: 'menu=shelters', display: '避難所', label: '避難所を探す' },
    { kind: 'message', value: '通報', label: '道路・施設の通報' },
    { kind: 'postback', value: 'menu=faq', label: 'よくある質問' },
    { kind: 'uri', value: 'https://www.city.obama.fukui.jp/kurashi/', label: 'くらしの情報' },
  ],
};
const EMERGENCY_MENU = {
  name: '緊急メニュー（災害時）',
  barText: '災害情報',
  layout: /小・2分割/,
  image: gridImage(2500, 843, 2, 1, [[153, 0, 0], [191, 144, 0]]),
  areas: [
    { kind: 'postback', value: 'menu=shelters', display: '避難所', label: '近くの避難所' },
    { kind: 'uri', value: 'https://www.city.obama.fukui.jp/bousai/', label: '災害情報' },
  ],
};

test('the staff console, as a clerk uses it', { timeout: 300_000 }, async (t) => {
  const { page, cspViolations } = await clerkBrowser(t);

  const step = steps(t, page, '');
  let normalId;
  let emergencyId;
  let lineBaseline = 0;

  await step('the administrator signs in and sees every function in the menu', async () => {
    await page.goto(`${BASE_URL}/admin`);
    await page.waitForURL(/\/admin\/login\?next=%2Fadmin$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'ログイン');
    await page.getByLabel('ログインID').fill(ADMIN_LOGIN);
    await screenshot(page, 'login.webp');
    await page.getByLabel('パスワード', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'ホーム');
    const links = await menuLinks(page);
    for (const item of ['リッチメニュー', '緊急メニュー切替', '利用状況レポート', '職員アカウント', '役割のひな形', '操作ログ']) {
      assert.ok(links.includes(item), `menu lacks ${item}: ${links}`);
    }
    await screenshot(page, 'home.webp');
  });

  await step('a role preset granting only usage reports is saved', async () => {
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '役割のひな形' }).click();
    await page.getByRole('link', { name: 'ひな形を追加' }).click();
    await page.getByLabel('名前', { exact: true }).fill(ROLE.name);
    await page.getByLabel('説明', { exact: true }).fill(ROLE.description);
    await page.getByLabel('利用状況レポート', { exact: true }).check();
    await screenshot(page, 'roles.webp');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/roles`);
    assert.equal(await successMessage(page), `「${ROLE.name}」を保存しました。`);
    const row = page.getByRole('row').filter({ hasText: ROLE.name });
    assert.equal((await row.getByRole('cell').nth(2).innerText()).trim(), '利用状況レポート');
  });

  await step('a staff member is added from that preset with only usage reports', async () => {
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '職員アカウント', exact: true }).click();
    await page.getByRole('link', { name: '職員を追加' }).click();
    const preset = page.getByLabel('役割のひな形から始める');
    const option = (await preset.locator('option').allInnerTexts()).find((o) => o.startsWith(`${ROLE.name}：`));
    assert.ok(option, 'the new preset is offered');
    await preset.selectOption({ label: option });
    await page.getByRole('button', { name: 'ひな形を適用' }).click();
    await page.waitForURL(/\/admin\/staff\/new\?preset=\d+$/);
    assert.equal(
      await preset.evaluate((select) => select.selectedOptions[0].textContent),
      option,
      'the applied preset stays selected',
    );
    assert.equal(await page.getByLabel('利用状況レポート', { exact: true }).isChecked(), true);
    assert.equal(await page.getByLabel('リッチメニュー', { exact: true }).isChecked(), false);
    assert.equal(await page.getByLabel('緊急メニュー切替', { exact: true }).isChecked(), false);
    assert.equal(await page.locator('input[name=perm]:checked').count(), 1);

    await page.getByLabel('ログインID').fill(CLERK.login);
    await page.getByLabel('氏名').fill(CLERK.name);
    await page.getByLabel('所属課').fill(CLERK.department);
    await page.getByLabel('初期パスワード').fill(CLERK.password);
    // The whole form: the one granted permission is below the fold at 1280×720.
    await screenshot(page, 'staff.webp', { fullPage: true });
    await page.getByRole('button', { name: '追加する' }).click();
    await page.waitForURL(`${BASE_URL}/admin/staff/${CLERK.login}`);
    assert.equal(await successMessage(page), `${CLERK.name}さんのアカウントを作成しました。`);
    await signOut(page);
  });

  await step('the staff member first replaces the temporary password the administrator set', async () => {
    await page.goto(`${BASE_URL}/admin/login`);
    await page.getByLabel('ログインID').fill(CLERK.login);
    await page.getByLabel('パスワード', { exact: true }).fill(CLERK.password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(`${BASE_URL}/admin/account`);
    assert.match(await page.getByRole('alert').innerText(), /初期パスワードのままです/);
    await screenshot(page, 'account-first-sign-in.webp');
    // Nothing else opens until it is changed, not even by URL.
    await page.goto(`${BASE_URL}/admin/usage`);
    await page.waitForURL(`${BASE_URL}/admin/account`);

    CLERK.password = `Kk-${randomBytes(9).toString('hex')}`;
    await page.getByLabel('現在のパスワード').first().fill(CLERK.temporary);
    await page.getByLabel('新しいパスワード', { exact: true }).fill(CLERK.password);
    await page.getByLabel('新しいパスワード（確認）').fill(CLERK.password);
    await page.getByRole('button', { name: 'パスワードを変更' }).click();
    assert.equal(await successMessage(page), 'パスワードを変更しました。');
    const usage = await page.goto(`${BASE_URL}/admin/usage`);
    assert.equal(usage.status(), 200);
    await signOut(page);
  });

  await step('the staff member cannot reach what was not granted, even by URL or a forged post', async () => {
    await signIn(page, CLERK.login, CLERK.password);
    const links = await menuLinks(page);
    assert.ok(links.includes('利用状況レポート'), `menu: ${links}`);
    for (const hidden of ['リッチメニュー', '緊急メニュー切替', '職員アカウント', '役割のひな形', '操作ログ', '配信', 'セグメント設定']) {
      assert.ok(!links.includes(hidden), `menu shows ${hidden}: ${links}`);
    }

    for (const [url, permission] of [
      ['/admin/richmenus', 'リッチメニュー'],
      ['/admin/richmenus/new', 'リッチメニュー'],
      ['/admin/emergency', '緊急メニュー切替'],
      ['/admin/staff', '職員アカウント管理'],
    ]) {
      const response = await page.goto(`${BASE_URL}${url}`);
      assert.equal(response.status(), 403, `${url} answered ${response.status()}`);
      assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'この機能を使う権限がありません');
      assert.match(await page.locator('main').innerText(), new RegExp(`「${permission}」の権限が必要です`));
    }

    // Posts carrying the clerk's own valid CSRF token, so that only the permission check can
    // refuse them: creating a menu and switching to the emergency menu.
    await page.goto(`${BASE_URL}/admin`);
    const csrf = await page.locator('form.logout input[name=_csrf]').inputValue();
    assert.ok(csrf.length > 10);
    const posted = await page.evaluate(async (csrf) => {
      const post = async (url, fields) => {
        const r = await fetch(url, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, ...fields }) });
        return { status: r.status, text: await r.text() };
      };
      return [
        await post('/admin/richmenus', { name: '不正なメニュー', chat_bar_text: 'x', layout: 'full-1' }),
        await post('/admin/emergency', { mode: 'emergency', reason: '権限のない切替' }),
      ];
    }, csrf);
    for (const r of posted) {
      assert.equal(r.status, 403);
      assert.match(r.text, /この機能を使う権限がありません/);
    }

    const usage = await page.goto(`${BASE_URL}/admin/usage`);
    assert.equal(usage.status(), 200, 'the granted function stays open');
    await signOut(page);
  });

  await step('the administrator sees that the refused posts changed nothing', async () => {
    await signIn(page, ADMIN_LOGIN, ADMIN_PASSWORD);
    await page.goto(`${BASE_URL}/admin/richmenus`);
    // Only the default menus a fresh install publishes; the refused post made none.
    const menus = await page.locator('tbody').innerText();
    assert.doesNotMatch(menus, /不正なメニュー/);
    assert.equal(await page.locator('tbody tr').count(), 2, menus);
    await page.goto(`${BASE_URL}/admin/emergency`);
    assert.equal(await page.getByRole('status').innerText(), '現在、通常メニューを表示しています');
  });

  await step('a rich menu is built from an uploaded image, previewed, designated 通常 and published', async () => {
    // What LINE received before: the default menus published at the first start.
    lineBaseline = (await lineRequests()).length;
    normalId = await createMenu(page, NORMAL_MENU);
    // The preview: the uploaded image itself, with the six areas drawn over it.
    const preview = page.locator('.menu-preview');
    const size = await preview.getByRole('img', { name: 'メニュー画像' }).evaluate((img) => [img.complete, img.naturalWidth, img.naturalHeight]);
    assert.deepEqual(size, [true, 2500, 1686]);
    assert.equal(await preview.locator('svg rect').count(), 6);
    for (const [i, area] of NORMAL_MENU.areas.entries()) {
      assert.equal(await page.getByRole('group', { name: `エリア${i + 1}`, exact: true }).getByLabel(/^読み上げ用ラベル/).inputValue(), area.label);
    }

    await page.getByRole('button', { name: '通常用に指定' }).click();
    assert.equal(await successMessage(page), '通常のメニューに指定しました。');
    await page.getByRole('button', { name: 'LINEに公開する' }).click();
    assert.equal(await successMessage(page), 'LINEに公開しました。');
    assert.match(await page.locator('dl.facts').innerText(), /公開中/);
    assert.match(await page.locator('dl.facts').innerText(), /通常用/);
    await screenshot(page, 'richmenus.webp');
  });

  await step('LINE received the create, image upload and set-default calls, all valid by its schema', async () => {
    const requests = (await lineRequests()).slice(lineBaseline);
    const create = requests.filter((r) => r.method === 'POST' && r.path === '/v2/bot/richmenu');
    assert.equal(create.length, 1, JSON.stringify(requests.map((r) => `${r.method} ${r.path}`)));
    assert.deepEqual(create[0].body.size, { width: 2500, height: 1686 });
    assert.equal(create[0].body.chatBarText, NORMAL_MENU.barText);
    assert.equal(create[0].body.areas.length, 6);
    assert.deepEqual(create[0].body.areas.map((a) => a.action.type), ['message', 'uri', 'postback', 'message', 'postback', 'uri']);
    assert.deepEqual(create[0].body.areas.map((a) => a.action.label), NORMAL_MENU.areas.map((a) => a.label));

    const upload = requests.filter((r) => r.method === 'POST' && /^\/v2\/bot\/richmenu\/[^/]+\/content$/.test(r.path));
    assert.equal(upload.length, 1);
    assert.equal(upload[0].headers['content-type'], 'image/png');
    assert.equal(upload[0].body.bytes, NORMAL_MENU.image.length);
    const lineId = upload[0].path.split('/')[4];

    const setDefault = requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v2/bot/user/all/richmenu/'));
    assert.equal(setDefault.length, 1);
    assert.equal(setDefault[0].path, `/v2/bot/user/all/richmenu/${lineId}`);
    assert.ok(create[0].id < upload[0].id && upload[0].id < setDefault[0].id, 'create, then upload, then set default');

    for (const r of requests) {
      assert.deepEqual(r.schemaErrors, [], `${r.method} ${r.path} broke LINE's schema`);
      assert.ok(r.status < 400, `${r.method} ${r.path} answered ${r.status}`);
    }
  });

  await step('an emergency menu is made, and the switch goes to 緊急 and back to 通常', async () => {
    emergencyId = await createMenu(page, EMERGENCY_MENU);
    await page.getByRole('button', { name: '緊急用（災害時）に指定' }).click();
    assert.equal(await successMessage(page), '緊急（災害時）のメニューに指定しました。');
    await page.getByRole('button', { name: 'LINEに公開する' }).click();
    assert.equal(await successMessage(page), 'LINEに公開しました。');

    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '緊急メニュー切替' }).click();
    assert.equal(await page.getByRole('status').innerText(), '現在、通常メニューを表示しています');
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, new RegExp(NORMAL_MENU.name.replace(/[()（）]/g, '.')));
    assert.match(facts, new RegExp(EMERGENCY_MENU.name.replace(/[()（）]/g, '.')));
    const before = (await lineRequests()).length;

    await page.getByLabel('切り替える理由（必須）').fill('大雨警報の発表（訓練）');
    await page.getByRole('button', { name: '緊急メニューに切り替える' }).click();
    // The switch is confirmed on a page that names the menu and how many friends see it change.
    await page.locator('.confirm').waitFor();
    assert.match(await page.locator('.confirm').innerText(), /友だち全員（現在 \d+ 人）/);
    await screenshot(page, 'emergency-confirm.webp');
    await confirmAction(page, '緊急メニューに切り替える');
    await page.waitForURL(`${BASE_URL}/admin/emergency`);
    const statuses = await page.getByRole('status').allInnerTexts();
    assert.ok(statuses.includes('緊急（災害時）メニューに切り替えました。'), statuses.join(' / '));
    assert.ok(statuses.includes('現在、緊急（災害時）メニューを表示しています'), statuses.join(' / '));
    assert.match(await page.locator('main').innerText(), /理由：大雨警報の発表（訓練）/);
    assert.ok(await page.getByRole('button', { name: '通常メニューに戻す' }).isVisible());
    await screenshot(page, 'emergency.webp');

    const toEmergency = (await lineRequests()).slice(before);
    const emergencyLineId = (await lineRequests())
      .filter((r) => r.method === 'POST' && /^\/v2\/bot\/richmenu\/[^/]+\/content$/.test(r.path))
      .at(-1)
      .path.split('/')[4];
    assert.deepEqual(
      toEmergency.map((r) => `${r.method} ${r.path}`),
      [`POST /v2/bot/user/all/richmenu/${emergencyLineId}`, 'POST /v2/bot/richmenu/batch'],
    );
    assert.deepEqual(toEmergency[1].body.operations, [{ type: 'unlinkAll' }]);

    const middle = (await lineRequests()).length;
    await page.getByLabel('切り替える理由（必須）').fill('警報の解除（訓練）');
    await page.getByRole('button', { name: '通常メニューに戻す' }).click();
    await page.locator('.confirm').waitFor();
    await confirmAction(page, '通常メニューに戻す');
    await page.waitForURL(`${BASE_URL}/admin/emergency`);
    const back = await page.getByRole('status').allInnerTexts();
    assert.ok(back.includes('通常メニューに切り替えました。'), back.join(' / '));
    assert.ok(back.includes('現在、通常メニューを表示しています'), back.join(' / '));
    assert.match(await page.locator('main').innerText(), /理由：警報の解除（訓練）/);

    const all = await lineRequests();
    const normalLineId = all.slice(lineBaseline).find((r) => r.path.startsWith('/v2/bot/user/all/richmenu/')).path.split('/').pop();
    assert.deepEqual(
      all.slice(middle).map((r) => `${r.method} ${r.path}`),
      [`POST /v2/bot/user/all/richmenu/${normalLineId}`, 'POST /v2/bot/richmenu/batch'],
    );
    for (const r of all) {
      assert.deepEqual(r.schemaErrors, [], `${r.method} ${r.path} broke LINE's schema`);
      assert.ok(r.status < 400, `${r.method} ${r.path} answered ${r.status}`);
    }
  });

  await step('the rich menu list shows both menus published, each with its designation', async () => {
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: 'リッチメニュー' }).click();
    assert.match(await page.locator('main > p').first().innerText(), /いま表示中：通常のメニュー/);
    for (const [id, designation] of [[normalId, '通常用'], [emergencyId, '緊急用']]) {
      const row = page.getByRole('row').filter({ has: page.locator(`a[href="/admin/richmenus/${id}"]`) });
      const cells = (await row.getByRole('cell').allInnerTexts()).map((c) => c.trim());
      assert.equal(cells[2], '公開中', cells.join(' | '));
      assert.equal(cells[3], designation, cells.join(' | '));
    }
  });

  await step('the usage report counts what citizens did, as a table, a chart and a CSV', async () => {
    // Two citizens add the account in the LINE simulator and one taps a menu area.
    for (const name of ['若狭 花子', '小浜 太郎']) {
      const citizen = await (await fetch(`${BASE_URL}/simulator/api/citizens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      })).json();
      const actions = [{ kind: 'follow' }];
      if (name === '若狭 花子') actions.push({ kind: 'postback', data: 'menu=shelters' });
      for (const action of actions) {
        const sent = await (await fetch(`${BASE_URL}/simulator/api/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...action, userId: citizen.userId }),
        })).json();
        assert.equal(sent.webhookStatus, 200, JSON.stringify(sent));
      }
    }

    const today = todayInJapan();
    const from = `${today.slice(0, 8)}01`;
    await page.getByRole('navigation', { name: '機能メニュー' }).getByRole('link', { name: '利用状況レポート' }).click();
    await page.getByLabel('期間').fill(from);
    await page.getByLabel('終了日').fill(today);
    await page.getByLabel('内訳').selectOption({ label: '地区別' });
    await page.getByRole('button', { name: '集計' }).click();
    await page.waitForURL(/\/admin\/usage\?/);
    const query = new URL(page.url()).searchParams;
    assert.equal(query.get('from'), from);
    assert.equal(query.get('to'), today);
    assert.equal(query.get('by'), 'district');

    const total = async (service) => {
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: service, exact: true }) });
      return Number((await row.getByRole('cell').last().innerText()).trim());
    };
    // The events are written as the webhook handles them; the report reads them at once.
    assert.equal(await total('友だち追加'), 2);
    assert.equal(await total('メニュー操作'), 1);
    // Every service that records its use is listed, used or not: nobody has filed a 通報 or
    // answered a form yet.
    assert.equal(await total('通報'), 0);
    assert.equal(await total('フォーム回答'), 0);
    const headers = (await page.locator('thead th').allInnerTexts()).map((h) => h.trim());
    assert.deepEqual([headers[0], headers.at(-1)], ['サービス', '合計']);
    assert.ok(headers.includes('未登録'), `columns: ${headers}`);

    const chart = page.getByRole('img', { name: 'サービス別の件数（棒グラフ）' });
    assert.ok(await chart.isVisible());
    // One bar per service that records its use (避難所検索, 通報, フォーム回答, FAQ応答,
    // FAQ該当なし, 相談, 子育て情報, ごみの問い合わせ and 友だち追加（QRコードから） included),
    // whether used or not.
    assert.equal(await chart.locator('rect').count(), 16);
    const widths = await chart.locator('rect').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('width'))));
    assert.equal(Math.max(...widths), widths[3], 'the longest bar is 友だち追加');
    await screenshot(page, 'usage.webp');

    // 「CSVを作成」 asks the export function for the file and shows 出力ファイル.
    await page.getByRole('button', { name: 'CSVを作成', exact: true }).click();
    await page.waitForURL(/\/admin\/exports$/);
    const row = page.getByRole('row').filter({ hasText: '利用状況' }).first();
    // The file is made in a few seconds: 「更新」 until it is 完了.
    for (let i = 0; i < 40 && !(await row.getByRole('link', { name: 'ダウンロード' }).count()); i++) {
      await page.waitForTimeout(250);
      await page.getByRole('link', { name: '更新', exact: true }).click();
    }
    assert.match(await row.innerText(), /完了/);
    // The menu's badge is counted before the list is read: the file can turn 完了 in between,
    // so the badge is read from the page loaded again.
    await page.reload();
    assert.match(await page.getByRole('link', { name: /出力ファイル/ }).innerText(), /出力ファイル\s*1/);
    const csvHref = await row.getByRole('link', { name: 'ダウンロード' }).getAttribute('href');
    const csv = await page.request.get(new URL(csvHref, BASE_URL).href);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    assert.match(csv.headers()['content-disposition'], /attachment/);
    const body = (await csv.body()).toString('utf8');
    assert.ok(body.startsWith('\uFEFF'), 'UTF-8 with BOM, for Excel');
    assert.match(body, /^\uFEFFサービス,.*未登録.*,合計\r?\n/);
    assert.match(body, /\r?\n友だち追加,(\d+,)*2\r?\n/);
    await page.goto(`${BASE_URL}/admin/usage`);
  });

  await step('the help link opens the manual page, showing the screenshot taken here', async () => {
    const help = page.getByRole('link', { name: 'この画面のヘルプ' });
    assert.equal(await help.getAttribute('href'), '/admin/manual/usage');
    await page.goto(`${BASE_URL}/admin/manual/usage`);
    assert.equal(await page.getByRole('heading', { level: 1 }).first().innerText(), '利用状況レポート');
    const picture = page.getByRole('img', { name: /利用状況レポート/ });
    await picture.scrollIntoViewIfNeeded();
    const size = await picture.evaluate((img) => [img.complete, img.naturalWidth, img.naturalHeight]);
    assert.deepEqual(size, [true, 1280, 720]);
  });

  await step('no page broke the Content-Security-Policy', async () => {
    assert.deepEqual(cspViolations, []);
  });
});

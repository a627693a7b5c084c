//! The LIFF pages: small, mobile-first, no framework, nothing loaded from elsewhere except
//! LINE's own LIFF SDK when a LIFF app id is configured (it exists only on LINE's CDN).

use crate::{FormsState, PRIVACY_PAGE, REGISTRATION_API};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::sync::Arc;

const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Hiragino Sans", "Noto Sans JP", sans-serif; margin: 0; padding: 16px; line-height: 1.6; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.3rem; margin: 0 0 12px; }
fieldset { border: 1px solid #c8ccd2; border-radius: 6px; margin: 0 0 16px; padding: 8px 12px; }
legend { font-weight: bold; padding: 0 4px; }
label.choice { display: flex; align-items: center; gap: 8px; min-height: 44px; }
input[type=radio], input[type=checkbox] { width: 22px; height: 22px; }
button { font: inherit; min-height: 44px; padding: 8px 16px; border-radius: 6px; border: 1px solid #06c755; background: #06c755; color: #fff; width: 100%; margin-bottom: 8px; }
button.secondary { background: #fff; color: #8a1c1c; border-color: #8a1c1c; }
.note { font-size: .9rem; background: #f2f4f7; padding: 8px 12px; border-radius: 6px; }
#status { min-height: 1.6em; font-weight: bold; }
#status.error { color: #8a1c1c; }
"#;

/// The page's script. The ID token comes from the LIFF SDK inside LINE (`liff.getIDToken()`),
/// or, where there is no SDK (the local run and its simulator), from `?id_token=`.
const SCRIPT: &str = r#"
(function () {
  var api = document.body.getAttribute('data-api');
  var liffId = document.body.getAttribute('data-liff-id');
  var statusBox = document.getElementById('status');
  var form = document.getElementById('registration');
  var token = null;
  var items = [];

  function say(text, isError) {
    statusBox.textContent = text;
    statusBox.className = isError ? 'error' : '';
  }

  function idToken() {
    if (window.liff && liffId) {
      return window.liff.init({ liffId: liffId }).then(function () {
        if (!window.liff.isLoggedIn()) { window.liff.login(); return null; }
        return window.liff.getIDToken();
      });
    }
    return Promise.resolve(new URLSearchParams(window.location.search).get('id_token'));
  }

  function call(method, body) {
    var options = { method: method, headers: { 'Authorization': 'Bearer ' + token } };
    if (body) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch(api, options).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.error || '処理できませんでした。'); }
        return data;
      });
    });
  }

  function draw(view) {
    items = view.items;
    var fields = document.getElementById('fields');
    fields.textContent = '';
    items.forEach(function (item) {
      var set = document.createElement('fieldset');
      var legend = document.createElement('legend');
      legend.textContent = item.question;
      set.appendChild(legend);
      var chosen = view.values[item.id] || [];
      var choices = item.answer === 'one' ? item.choices.concat(['']) : item.choices;
      choices.forEach(function (value, n) {
        var label = document.createElement('label');
        label.className = 'choice';
        var input = document.createElement('input');
        input.type = item.answer === 'one' ? 'radio' : 'checkbox';
        input.name = item.id;
        input.value = value;
        input.id = item.id + '-' + n;
        input.checked = value === '' ? chosen.length === 0 : chosen.indexOf(value) >= 0;
        label.appendChild(input);
        label.appendChild(document.createTextNode(value === '' ? '回答しない' : value));
        set.appendChild(label);
      });
      fields.appendChild(set);
    });
    form.hidden = false;
  }

  function collect() {
    var values = {};
    items.forEach(function (item) {
      var picked = [];
      form.querySelectorAll('input[name="' + item.id + '"]').forEach(function (input) {
        if (input.checked && input.value !== '') { picked.push(input.value); }
      });
      if (picked.length) { values[item.id] = picked; }
    });
    return { values: values };
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    say('保存しています…');
    call('PUT', collect()).then(function (view) { draw(view); say('保存しました。'); })
      .catch(function (err) { say(err.message, true); });
  });

  document.getElementById('delete').addEventListener('click', function () {
    if (!window.confirm('登録内容をすべて削除します。よろしいですか？')) { return; }
    call('DELETE').then(function (answer) {
      say(answer.message);
      return call('GET').then(draw);
    }).catch(function (err) { say(err.message, true); });
  });

  idToken().then(function (t) {
    if (!t) { say('LINEアプリからこのページを開いてください。', true); return; }
    token = t;
    return call('GET').then(draw);
  }).catch(function (err) { say(err.message, true); });
})();
"#;

fn page(title: &str, body: Markup, head: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
                (head)
            }
            (body)
        }
    };
    ([(header::CACHE_CONTROL, "no-store")], markup).into_response()
}

pub async fn registration(State(state): State<Arc<FormsState>>) -> Response {
    let liff_id = state.config.liff_id.clone().unwrap_or_default();
    page(
        "登録内容の確認・変更",
        html! {
            body data-api=(REGISTRATION_API) data-liff-id=(liff_id) {
                h1 { "登録内容の確認・変更" }
                p.note {
                    "保存するのは、ここで選んだ回答だけです。回答は、あなたに関係のあるお知らせをお送りするためだけに使います。いつでも変更・削除できます。"
                    a href=(PRIVACY_PAGE) { "個人情報の取り扱い" }
                }
                div #status role="status" aria-live="polite" { "読み込んでいます…" }
                form #registration hidden {
                    div #fields {}
                    button type="submit" { "保存する" }
                    button.secondary #delete type="button" { "登録内容を削除する" }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        },
        html! {
            @if state.config.liff_id.is_some() {
                // LINE's LIFF SDK: only inside LINE, and only from LINE's CDN.
                script charset="utf-8" src="https://static.line-scdn.net/liff/edge/2/sdk.js" {}
            }
        },
    )
}

pub async fn privacy(State(state): State<Arc<FormsState>>) -> Response {
    let city = if state.config.city.is_empty() {
        "市"
    } else {
        state.config.city.as_str()
    };
    // The period staff set; should the table not answer, the page still says what happens.
    let kept = match tayori_records::retention::RetentionRecord::new(state.platform.table.clone())
        .get()
        .await
    {
        Ok(retention) => format!("{}日", retention.days()),
        Err(e) => {
            tracing::warn!(error = %e, "retention period not read for the privacy page");
            "市が定める期間".to_string()
        }
    };
    page(
        "個人情報の取り扱い",
        html! {
            body {
                h1 { (city) "LINE公式アカウント 個人情報の取り扱い" }
                h2 { "保存する情報" }
                p { "登録（年代・性別・お住まいの地区・関心のある分野など）で選んだ回答だけを保存します。お名前、住所、電話番号などはお聞きしません。LINEのユーザーIDは、お知らせをお送りするためにLINEが発行する識別子として保存します。" }
                h2 { "利用の目的" }
                p { "回答は、あなたに関係のあるお知らせ（お住まいの地区の防災情報、関心のある分野のお知らせなど）を選んでお送りするためだけに使います。利用状況の集計では、個人が分からない件数として扱います。" }
                h2 { "確認・変更・削除" }
                p { "登録内容はいつでも確認・変更・削除できます。トーク画面で「登録内容」「登録変更」「登録削除」と送るか、メニューの「登録内容の確認・変更」から操作してください。削除すると、回答はすぐに消去されます。" }
                h2 { "保存期間" }
                p { "公式アカウントをブロックしてから" (kept) "を過ぎると、友だちとしての記録（LINEのユーザーIDと登録内容）を削除します。それまでにブロックを解除した場合は、登録内容はそのまま残ります。障害に備えたバックアップからは、削除の後35日以内に消えます。なお、お知らせを送った記録には、送信先としてLINEのユーザーIDが残ります。" }
                h2 { "第三者への提供" }
                p { "法令に基づく場合を除き、回答を第三者に提供することはありません。" }
                h2 { "お問い合わせ" }
                p { (city) "の担当窓口までお問い合わせください。" }
            }
        },
        html! {},
    )
}

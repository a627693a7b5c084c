// The registration form (/liff/registration). The ID token comes from the LIFF SDK inside LINE
// (liff.getIDToken()), or, where there is no SDK (the local run and its simulator), from
// ?id_token=. The API's address is read from the page (data-api), which carries the stage
// prefix on API Gateway's default endpoint.
(function () {
  var api = document.body.getAttribute('data-api');
  var liffId = document.body.getAttribute('data-liff-id');
  var statusBox = document.getElementById('status');
  var form = document.getElementById('registration');
  var token = null;
  var items = [];
  var NO_ANSWER = '回答しない';

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
        if (!r.ok) { throw new Error((data.error && data.error.message) || '処理できませんでした。'); }
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
      // A one-answer question can be left unanswered: an extra 「回答しない」, unless staff
      // already offer that choice themselves (then it would be listed twice).
      var ownOptOut = item.choices.indexOf(NO_ANSWER) >= 0;
      var choices = item.answer === 'one' && !ownOptOut ? item.choices.concat(['']) : item.choices;
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
        label.appendChild(document.createTextNode(value === '' ? NO_ANSWER : value));
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
    return call('GET').then(function (view) { draw(view); say(''); });
  }).catch(function (err) { say(err.message, true); });
})();

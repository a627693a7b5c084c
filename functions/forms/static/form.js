// The forms staff build (申請・アンケート・予約), answered in LINE: /liff/forms (the open forms
// and 「これまでの回答」) and /liff/forms/<id> (one form). The ID token comes from the LIFF SDK
// inside LINE, or from ?id_token= where there is none (the local run and its simulator).
//
// The checks here mirror the domain's (tayori_domain::form::value) so that a citizen hears of a
// mistake before sending; the server's check is the truth, and its per-field messages are shown
// under their fields when it refuses. Whether the form takes answers is said before any input
// is shown.
//
// A photo/file field uploads each chosen file at once: the server checks the field's types and
// size and answers a presigned PUT under the citizen's own upload folder; the page keeps the
// upload's key and the file's name (in the draft too) and sends them with the answer, when the
// server reads each file and checks it by its content.
(function () {
  var body = document.body;
  var api = body.getAttribute('data-api');
  var listPage = body.getAttribute('data-list');
  var formId = body.getAttribute('data-form');
  var liffId = body.getAttribute('data-liff-id');
  var statusBox = document.getElementById('status');
  var alertBox = document.getElementById('alert');
  var token = null;
  var view = null;
  var draftTimer = null;
  var DRAFT_DELAY_MS = 1500;
  // Field id → the uploads kept for it: [{ key, name }].
  var uploaded = {};
  var uploading = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
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

  // Answers the JSON, or throws an Error carrying the API's error object.
  function call(method, path, payload) {
    var options = { method: method, headers: { 'Authorization': 'Bearer ' + token } };
    if (payload) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(payload);
    }
    return fetch(api + path, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var failure = new Error((data.error && data.error.message) || '処理できませんでした。時間をおいて、もう一度お試しください。');
          failure.api = data.error || {};
          throw failure;
        }
        return data;
      });
    });
  }

  // ---- the list ---------------------------------------------------------------------------

  function withToken(href) {
    var own = new URLSearchParams(window.location.search).get('id_token');
    return own ? href + '?id_token=' + encodeURIComponent(own) : href;
  }

  function showList() {
    return call('GET', '').then(function (data) {
      var list = $('form-list');
      list.textContent = '';
      data.forms.forEach(function (f) {
        var item = el('li', { 'class': 'form-item' });
        var link = el('a', { href: withToken(listPage + '/' + encodeURIComponent(f.id)) }, f.title);
        item.appendChild(link);
        item.appendChild(el('span', { 'class': 'badge' + (f.availability.open ? '' : ' closed') }, f.availability.label));
        if (f.period) { item.appendChild(el('p', { 'class': 'note' }, f.period)); }
        list.appendChild(item);
      });
      if (!data.forms.length) { list.appendChild(el('li', {}, 'いま受付中のフォームはありません。')); }
      $('open-forms').hidden = false;
      say('');
    });
  }

  function showMine() {
    return call('GET', '/answers').then(function (data) {
      var list = $('mine-list');
      list.textContent = '';
      data.answers.forEach(function (a) {
        var item = el('li', { 'class': 'answer-item' });
        item.appendChild(el('p', { 'class': 'answer-title' }, a.formTitle));
        item.appendChild(el('p', {}, '受付番号 ' + a.receiptNumber + '（' + a.status + '・' + a.submitted + '）'));
        var lines = el('ul', { 'class': 'lines' });
        a.lines.forEach(function (l) { lines.appendChild(el('li', {}, l)); });
        item.appendChild(lines);
        if (a.cancellable) {
          var button = el('button', { type: 'button', 'class': 'secondary' }, 'この予約をキャンセルする');
          button.addEventListener('click', function () {
            if (!window.confirm('受付番号 ' + a.receiptNumber + ' の予約をキャンセルします。よろしいですか？')) { return; }
            button.disabled = true;
            call('POST', '/answers/' + encodeURIComponent(a.answerId) + '/cancel').then(function (done) {
              say(done.message);
              return showMine();
            }).catch(function (e) { button.disabled = false; say(e.message, true); });
          });
          item.appendChild(button);
        }
        list.appendChild(item);
      });
      $('mine').hidden = data.answers.length === 0;
    });
  }

  // ---- one form ---------------------------------------------------------------------------

  function chars(s) { return Array.from(s).length; }
  function ascii(s) {
    return s.replace(/[\uFF01-\uFF5E]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/\u3000/g, ' ').replace(/[ー‐−–—―]/g, '-');
  }
  function fmtNumber(n) { return String(n); }
  function fmtDate(iso) {
    var p = iso.split('-');
    return p[0] + '年' + Number(p[1]) + '月' + Number(p[2]) + '日';
  }

  // The raw strings of a field as the API takes them (for a file field, its files' names).
  function valuesOf(field) {
    var type = field.kind.type;
    var name = 'f-' + field.id;
    if (type === 'file') { return (uploaded[field.id] || []).map(function (u) { return u.name; }); }
    if (type === 'single_choice') {
      var picked = document.querySelector('input[name="' + name + '"]:checked');
      return picked ? [picked.value] : [];
    }
    if (type === 'multiple_choice') {
      return Array.prototype.map.call(document.querySelectorAll('input[name="' + name + '"]:checked'), function (i) { return i.value; });
    }
    if (type === 'consent') { return [$(name).checked ? 'yes' : 'no']; }
    var input = $(name);
    if (!input) { return []; }
    return input.value.trim() === '' ? [] : [input.value];
  }

  function answerFields() {
    return view.form.fields.filter(function (f) { return ['heading', 'description'].indexOf(f.kind.type) < 0; });
  }

  // Which fields are shown: a condition holds on an earlier shown field's value.
  function shownIds() {
    var shown = {};
    var values = {};
    view.form.fields.forEach(function (f) {
      var ok = true;
      if (f.show_when) {
        var v = values[f.show_when.field] || [];
        ok = shown[f.show_when.field] === true && v.indexOf(f.show_when.equals) >= 0;
      }
      shown[f.id] = ok;
      if (ok && f.kind.type !== 'heading' && f.kind.type !== 'description' && f.kind.type !== 'file') {
        values[f.id] = valuesOf(f);
      }
    });
    return shown;
  }

  function applyConditions() {
    var shown = shownIds();
    view.form.fields.forEach(function (f) {
      var wrap = $('wrap-' + f.id);
      if (wrap) { wrap.hidden = !shown[f.id]; }
    });
    return shown;
  }

  // What is sent: for the answer, the files apart from the values; for the draft, each file's
  // reference kept among the values (the draft takes strings only).
  function collect(forDraft) {
    var shown = shownIds();
    var values = {};
    var files = {};
    answerFields().forEach(function (f) {
      if (!shown[f.id]) { return; }
      if (f.kind.type === 'file') {
        var kept = uploaded[f.id] || [];
        if (!kept.length) { return; }
        if (forDraft) { values[f.id] = kept.map(function (u) { return JSON.stringify(u); }); } else { files[f.id] = kept; }
        return;
      }
      var v = valuesOf(f);
      if (v.length) { values[f.id] = v; }
    });
    var slot = document.querySelector('input[name="slot"]:checked');
    return { values: values, slot: slot ? slot.value : null, files: files };
  }

  // The uploads a draft kept for a file field.
  function keptUploads(raw) {
    return (raw || []).map(function (v) {
      try { var u = JSON.parse(v); return u && typeof u.key === 'string' ? { key: u.key, name: String(u.name || '') } : null; } catch (e) { return null; }
    }).filter(function (u) { return u !== null; });
  }

  var TYPE_LABELS = { jpeg: 'JPEG', png: 'PNG', pdf: 'PDF' };
  var TYPE_MIMES = { jpeg: 'image/jpeg', png: 'image/png', pdf: 'application/pdf' };
  function fmtBytes(n) {
    var MB = 1024 * 1024;
    if (n >= MB) { var tenths = Math.floor(n * 10 / MB); return (tenths % 10 ? (tenths / 10).toFixed(1) : String(tenths / 10)) + 'MB'; }
    if (n >= 1024) { return Math.floor(n / 1024) + 'KB'; }
    return n + 'バイト';
  }
  function typeNames(k) { return k.types.map(function (t) { return TYPE_LABELS[t]; }).join('・'); }
  // The file's type as the browser says it, as the field names types (iPhones say image/jpg).
  function typeOf(file) {
    var mime = (file.type || '').toLowerCase();
    if (mime === 'image/jpg') { mime = 'image/jpeg'; }
    return Object.keys(TYPE_MIMES).filter(function (t) { return TYPE_MIMES[t] === mime; })[0] || null;
  }

  function drawUploads(field) {
    var list = $('files-' + field.id);
    list.textContent = '';
    (uploaded[field.id] || []).forEach(function (u, n) {
      var item = el('li', {});
      item.appendChild(el('span', { 'class': 'file-name' }, u.name));
      var remove = el('button', { type: 'button', 'class': 'secondary', 'aria-label': u.name + ' を取り消す' }, '取り消す');
      remove.addEventListener('click', function () {
        uploaded[field.id].splice(n, 1);
        drawUploads(field);
        $('upload-' + field.id).textContent = u.name + ' を取り消しました。';
        recheckShown();
        keepDraft();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    $('f-' + field.id).disabled = (uploaded[field.id] || []).length >= field.kind.max_files;
  }

  function fieldError(field, message) {
    showErrors([{ field: field.id, message: message }]);
  }

  // Uploads one chosen file: asked for first (type and size checked by the server), then PUT.
  function uploadOne(field, file) {
    var kind = typeOf(file);
    return call('POST', '/' + encodeURIComponent(formId) + '/uploads', {
      field: field.id, contentType: kind ? TYPE_MIMES[kind] : (file.type || 'application/octet-stream'), bytes: file.size
    }).then(function (given) {
      return fetch(given.url, { method: given.method, headers: given.headers, body: file }).then(function (r) {
        if (!r.ok) { throw new Error(file.name + ' を送れませんでした。通信の良いところで、もう一度選んでください。'); }
        (uploaded[field.id] = uploaded[field.id] || []).push({ key: given.key, name: file.name });
      });
    });
  }

  function chooseFiles(field, input) {
    var k = field.kind;
    var chosen = Array.prototype.slice.call(input.files || []);
    input.value = '';
    if (!chosen.length) { return; }
    var room = k.max_files - (uploaded[field.id] || []).length;
    if (chosen.length > room) { fieldError(field, 'ファイルは' + k.max_files + 'つまでです。'); return; }
    for (var i = 0; i < chosen.length; i += 1) {
      var kind = typeOf(chosen[i]);
      if (!kind || k.types.indexOf(kind) < 0) { fieldError(field, typeNames(k) + 'のファイルを選んでください。'); return; }
      if (chosen[i].size > k.max_bytes) { fieldError(field, 'ファイルは1つ' + fmtBytes(k.max_bytes) + 'までです。'); return; }
    }
    var state = $('upload-' + field.id);
    uploading += 1;
    input.disabled = true;
    $('to-confirm').disabled = true;
    state.textContent = '送信しています…（' + chosen.length + '件）';
    chosen.reduce(function (done, file, n) {
      return done.then(function () {
        state.textContent = file.name + ' を送信しています…（' + (n + 1) + '/' + chosen.length + '）';
        return uploadOne(field, file);
      });
    }, Promise.resolve()).then(function () {
      state.textContent = chosen.map(function (f) { return f.name; }).join('、') + ' を添付しました。';
      recheckShown();
      keepDraft();
    }).catch(function (e) {
      state.textContent = '';
      var mine = e.api && e.api.fields && e.api.fields.filter(function (x) { return x.field === field.id; })[0];
      fieldError(field, mine ? mine.message : e.message);
    }).then(function () {
      uploading -= 1;
      $('to-confirm').disabled = uploading > 0;
      drawUploads(field);
    });
  }

  // The domain's check, for one shown field: a message, or null.
  function problem(field, raw) {
    var k = field.kind;
    var given = raw.filter(function (v) { return v.trim() !== ''; });
    if (k.type === 'consent') {
      return field.required && given[0] !== 'yes' ? '同意していただく必要があります。' : null;
    }
    if (!given.length) { return field.required ? '入力してください。' : null; }
    var v = given[0];
    var t = ascii(v).trim();
    switch (k.type) {
      case 'short_text':
      case 'long_text':
      case 'address': {
        var max = k.type === 'address' ? 200 : k.max_chars;
        var text = k.type === 'long_text' ? v.replace(/\r\n?/g, '\n').trim() : v.replace(/\r\n?|\n/g, ' ').trim();
        var length = chars(text);
        return length > max ? max + '文字以内で入力してください（いま' + length + '文字です）。' : null;
      }
      case 'number': {
        var n = t.replace(/[, ]/g, '');
        if (!/^[+-]?[0-9]*\.?[0-9]+$/.test(n) && !/^[+-]?[0-9]+\.?$/.test(n)) { return '数値を入力してください。'; }
        var num = Number(n);
        if (!isFinite(num)) { return '数値を入力してください。'; }
        if (k.integer && num % 1 !== 0) { return '整数を入力してください。'; }
        if (k.min !== null && k.min !== undefined && num < k.min) { return fmtNumber(k.min) + '以上の数値を入力してください。'; }
        if (k.max !== null && k.max !== undefined && num > k.max) { return fmtNumber(k.max) + '以下の数値を入力してください。'; }
        return null;
      }
      case 'email':
        return /^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/.test(t) ? null : 'メールアドレスの形式が正しくありません（例：taro@example.jp）。';
      case 'phone': {
        var phone = t.replace(/\s/g, '');
        var ok = /^[0-9-]{10,13}$/.test(phone) && phone.replace(/-/g, '').length >= 10;
        return ok ? null : '電話番号は数字とハイフンで入力してください（例：0770-53-1111）。';
      }
      case 'postal_code':
        return /^〒?\s*[0-9]{3}-?[0-9]{4}$/.test(t) ? null : '郵便番号は7桁の数字で入力してください（例：917-0078）。';
      case 'date': {
        var d = t.replace(/\//g, '-');
        if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(d)) { return '日付を正しく入力してください（例：2026-12-01）。'; }
        if (k.min && d < k.min) { return fmtDate(k.min) + '以降の日付を入力してください。'; }
        if (k.max && d > k.max) { return fmtDate(k.max) + '以前の日付を入力してください。'; }
        return null;
      }
      case 'time':
        return /^[0-9]{2}:[0-9]{2}(:[0-9]{2})?$/.test(t) ? null : '時刻を正しく入力してください（例：09:30）。';
      case 'file':
        return given.length > k.max_files ? 'ファイルは' + k.max_files + 'つまでです。' : null;
      case 'multiple_choice':
        if (k.min_picks && given.length < k.min_picks) { return k.min_picks + 'つ以上選んでください。'; }
        if (k.max_picks && given.length > k.max_picks) { return k.max_picks + 'つまで選べます。'; }
        return null;
      default:
        return null;
    }
  }

  function clearErrors() {
    Array.prototype.forEach.call(document.querySelectorAll('.field-error'), function (p) { p.textContent = ''; p.hidden = true; });
    Array.prototype.forEach.call(document.querySelectorAll('[aria-invalid]'), function (i) { i.removeAttribute('aria-invalid'); });
    alertBox.textContent = '';
  }

  // Puts each message under its field, announces how many, and moves focus to the first.
  function showErrors(errors) {
    clearErrors();
    var first = null;
    errors.forEach(function (e) {
      var box = $('err-' + e.field);
      if (!box) { return; }
      box.textContent = e.message;
      box.hidden = false;
      var target = $('f-' + e.field) || document.querySelector('[name="f-' + e.field + '"]') || (e.field === 'slot' && document.querySelector('input[name="slot"]'));
      var group = $('group-' + e.field);
      (group ? [group] : []).concat(target ? [target] : []).forEach(function (t) { t.setAttribute('aria-invalid', 'true'); });
      if (!first && target) { first = target; }
    });
    alertBox.textContent = '入力内容を確認してください（' + errors.length + '件）。';
    if (first) { first.focus(); }
  }

  // A message goes away as soon as its field is put right (the rest stay until then).
  function recheckShown() {
    var shown = shownIds();
    var left = 0;
    answerFields().concat([{ id: 'slot' }]).forEach(function (f) {
      var box = $('err-' + f.id);
      if (!box || box.hidden) { return; }
      var fixed = f.id === 'slot'
        ? document.querySelector('input[name="slot"]:checked') !== null
        : !shown[f.id] || problem(f, valuesOf(f)) === null;
      if (!fixed) { left += 1; return; }
      box.textContent = '';
      box.hidden = true;
      [$('f-' + f.id), $('group-' + f.id)].concat(Array.prototype.slice.call(document.querySelectorAll('[name="f-' + f.id + '"]')))
        .forEach(function (t) { if (t) { t.removeAttribute('aria-invalid'); } });
    });
    alertBox.textContent = left ? '入力内容を確認してください（' + left + '件）。' : '';
  }

  function check() {
    var shown = applyConditions();
    var errors = [];
    answerFields().forEach(function (f) {
      if (!shown[f.id]) { return; }
      var message = problem(f, valuesOf(f));
      if (message) { errors.push({ field: f.id, message: message }); }
    });
    if (view.slots.length && !document.querySelector('input[name="slot"]:checked')) {
      errors.push({ field: 'slot', message: '予約枠を選んでください。' });
    }
    return errors;
  }

  function describedBy(field) {
    var ids = [];
    if (field.help) { ids.push('help-' + field.id); }
    ids.push('err-' + field.id);
    return ids.join(' ');
  }

  function labelText(field) { return field.label + (field.required ? '（必須）' : ''); }

  function choiceGroup(field, type, choices, chosen) {
    var set = el('fieldset', { id: 'group-' + field.id, 'aria-describedby': describedBy(field) });
    set.appendChild(el('legend', {}, labelText(field)));
    choices.forEach(function (c, n) {
      var label = el('label', { 'class': 'choice' });
      var input = el('input', { type: type, name: 'f-' + field.id, value: c, id: 'f-' + field.id + '-' + n });
      if (chosen.indexOf(c) >= 0) { input.checked = true; }
      label.appendChild(input);
      label.appendChild(document.createTextNode(c));
      set.appendChild(label);
    });
    return set;
  }

  function drawField(field, draft) {
    var k = field.kind;
    var wrap = el('div', { id: 'wrap-' + field.id, 'class': 'field' });
    var chosen = draft[field.id] || [];
    if (k.type === 'heading') { wrap.appendChild(el('h2', {}, field.label)); return wrap; }
    if (k.type === 'description') {
      if (field.label) { wrap.appendChild(el('p', { 'class': 'block-title' }, field.label)); }
      wrap.appendChild(el('p', { 'class': 'block' }, k.text));
      return wrap;
    }
    var id = 'f-' + field.id;
    var control;
    if (k.type === 'file') {
      uploaded[field.id] = keptUploads(chosen);
      wrap.appendChild(el('label', { 'for': id, 'class': 'label' }, labelText(field)));
      var limits = typeNames(k) + '、1つ' + fmtBytes(k.max_bytes) + 'まで' + (k.max_files > 1 ? '、' + k.max_files + 'つまで' : '');
      wrap.appendChild(el('p', { id: 'limits-' + field.id, 'class': 'help' }, limits));
      // accept lists the field's types: phones then offer the camera for a photo field too.
      var picker = { type: 'file', id: id, name: id, 'class': 'file-input',
        accept: k.types.map(function (t) { return TYPE_MIMES[t]; }).join(','),
        'aria-describedby': 'limits-' + field.id + ' ' + describedBy(field) + ' upload-' + field.id };
      if (k.max_files > 1) { picker.multiple = 'multiple'; }
      if (field.required) { picker['aria-required'] = 'true'; }
      control = el('input', picker);
      control.addEventListener('change', function () { chooseFiles(field, control); });
      wrap.appendChild(control);
      wrap.appendChild(el('p', { id: 'upload-' + field.id, 'class': 'upload-state', role: 'status', 'aria-live': 'polite' }));
      wrap.appendChild(el('ul', { id: 'files-' + field.id, 'class': 'files', 'aria-label': field.label + 'の添付ファイル' }));
    } else if (k.type === 'single_choice' || k.type === 'multiple_choice') {
      control = choiceGroup(field, k.type === 'single_choice' ? 'radio' : 'checkbox', k.choices, chosen);
      wrap.appendChild(control);
    } else if (k.type === 'consent') {
      var set = el('fieldset', { id: 'group-' + field.id, 'aria-describedby': describedBy(field) });
      set.appendChild(el('legend', {}, labelText(field)));
      set.appendChild(el('p', { 'class': 'block' }, k.text));
      var label = el('label', { 'class': 'choice', 'for': id });
      var box = el('input', { type: 'checkbox', id: id, name: id, value: 'yes' });
      box.checked = chosen[0] === 'yes';
      label.appendChild(box);
      label.appendChild(document.createTextNode('同意する'));
      set.appendChild(label);
      wrap.appendChild(set);
    } else {
      wrap.appendChild(el('label', { 'for': id, 'class': 'label' }, labelText(field)));
      var attrs = { id: id, name: id, 'aria-describedby': describedBy(field) };
      if (field.required) { attrs['aria-required'] = 'true'; }
      if (k.type === 'long_text') {
        control = el('textarea', Object.assign(attrs, { rows: '5' }));
      } else if (k.type === 'dropdown') {
        control = el('select', attrs);
        control.appendChild(el('option', { value: '' }, '選んでください'));
        k.choices.forEach(function (c) { control.appendChild(el('option', { value: c }, c)); });
      } else {
        var kinds = {
          short_text: { type: 'text' },
          number: { type: 'text', inputmode: 'decimal' },
          email: { type: 'email', autocomplete: 'email' },
          phone: { type: 'tel', autocomplete: 'tel' },
          postal_code: { type: 'text', inputmode: 'numeric', autocomplete: 'postal-code' },
          address: { type: 'text', autocomplete: 'street-address' },
          date: { type: 'date' },
          time: { type: 'time' }
        };
        var extra = kinds[k.type] || { type: 'text' };
        if (k.type === 'date' && k.min) { extra.min = k.min; }
        if (k.type === 'date' && k.max) { extra.max = k.max; }
        control = el('input', Object.assign(attrs, extra));
      }
      if (chosen[0] !== undefined) { control.value = chosen[0]; }
      wrap.appendChild(control);
    }
    if (field.help) { wrap.appendChild(el('p', { id: 'help-' + field.id, 'class': 'help' }, field.help)); }
    var err = el('p', { id: 'err-' + field.id, 'class': 'field-error' });
    err.hidden = true;
    wrap.appendChild(err);
    return wrap;
  }

  function drawSlots(slots, chosen) {
    var wrap = el('div', { id: 'wrap-slot', 'class': 'field' });
    var set = el('fieldset', { id: 'group-slot', 'aria-describedby': 'err-slot' });
    set.appendChild(el('legend', {}, '予約枠（必須）'));
    slots.forEach(function (s, n) {
      var label = el('label', { 'class': 'choice' + (s.bookable ? '' : ' unavailable') });
      var input = el('input', { type: 'radio', name: 'slot', value: s.id, id: 'slot-' + n });
      input.disabled = !s.bookable;
      if (s.bookable && chosen === s.id) { input.checked = true; }
      label.appendChild(input);
      label.appendChild(document.createTextNode(s.label + '（' + s.state + '）'));
      set.appendChild(label);
    });
    wrap.appendChild(set);
    var err = el('p', { id: 'err-slot', 'class': 'field-error' });
    err.hidden = true;
    wrap.appendChild(err);
    return wrap;
  }

  function keepDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(function () {
      call('PUT', '/' + encodeURIComponent(formId) + '/draft', collect(true)).then(function (saved) {
        $('draft-state').textContent = '入力途中の内容を保存しました（' + saved.saved + '）。';
      }).catch(function (e) { $('draft-state').textContent = e.message; });
    }, DRAFT_DELAY_MS);
  }

  // The postal code fills the address fields that name it, unless the citizen typed there.
  function lookUpPostal(field) {
    var code = ascii($('f-' + field.id).value).trim();
    if (!/^〒?[0-9]{3}-?[0-9]{4}$/.test(code)) { return; }
    call('GET', '/postal/' + encodeURIComponent(code.replace('〒', ''))).then(function (found) {
      view.form.fields.forEach(function (f) {
        if (f.kind.type !== 'address' || f.kind.postal_field !== field.id) { return; }
        var input = $('f-' + f.id);
        if (input.value.trim() === '' || input.getAttribute('data-filled') === input.value) {
          input.value = found.address;
          input.setAttribute('data-filled', found.address);
          say('郵便番号から住所を入力しました。続きの番地などを入力してください。');
          keepDraft();
        }
      });
    }).catch(function (e) { say(e.message, true); });
  }

  function summary() {
    var dl = $('summary');
    dl.textContent = '';
    var shown = applyConditions();
    var add = function (label, value) {
      dl.appendChild(el('dt', {}, label));
      dl.appendChild(el('dd', {}, value));
    };
    var slot = document.querySelector('input[name="slot"]:checked');
    if (slot) { add('予約枠', view.slots.filter(function (s) { return s.id === slot.value; })[0].label); }
    answerFields().forEach(function (f) {
      if (!shown[f.id]) { return; }
      var v = valuesOf(f);
      if (f.kind.type === 'consent') { v = [v[0] === 'yes' ? '同意する' : '同意しない']; }
      if (f.kind.type === 'file' && v.length) { v = ['添付 ' + v.length + '件：' + v.join('、')]; }
      add(f.label, v.length ? v.join('、') : '（未入力）');
    });
  }

  function showStep(step) {
    $('answer-form').hidden = step !== 'form';
    $('confirm').hidden = step !== 'confirm';
    $('done').hidden = step !== 'done';
  }

  function send() {
    var button = $('send');
    button.disabled = true;
    say('送信しています…');
    clearTimeout(draftTimer);
    call('POST', '/' + encodeURIComponent(formId) + '/answers', collect(false)).then(function (receipt) {
      $('receipt-number').textContent = receipt.receiptNumber;
      var lines = $('receipt-lines');
      lines.textContent = '';
      receipt.lines.forEach(function (l) { lines.appendChild(el('li', {}, l)); });
      showStep('done');
      say('送信しました。受付番号は ' + receipt.receiptNumber + ' です。');
      $('done-title').focus();
    }).catch(function (e) {
      button.disabled = false;
      showStep('form');
      say(e.message, true);
      if (e.api && e.api.fields) { showErrors(e.api.fields); }
    });
  }

  function showForm() {
    return call('GET', '/' + encodeURIComponent(formId)).then(function (data) {
      view = data;
      document.title = data.form.title;
      $('title').textContent = data.form.title;
      if (data.form.description) { $('description').textContent = data.form.description; $('description').hidden = false; }
      $('period').textContent = data.form.kindLabel + (data.form.period ? '・' + data.form.period : '');
      $('period').hidden = false;
      // Said before anything can be typed: the form is not drawn at all.
      if (!data.availability.open) { say(data.availability.message); return; }
      if (data.alreadyAnswered) { say('このフォームにはすでに回答しています。回答は1回のみです。'); return; }
      var draft = data.draft ? data.draft.values : {};
      var fields = $('fields');
      fields.textContent = '';
      if (data.slots.length) { fields.appendChild(drawSlots(data.slots, data.draft && data.draft.slot)); }
      data.form.fields.forEach(function (f) { fields.appendChild(drawField(f, draft)); });
      data.form.fields.forEach(function (f) { if (f.kind.type === 'file') { drawUploads(f); } });
      data.form.fields.forEach(function (f) {
        if (f.kind.type === 'postal_code') {
          $('f-' + f.id).addEventListener('change', function () { lookUpPostal(f); });
        }
      });
      applyConditions();
      var form = $('answer-form');
      form.addEventListener('input', function () { applyConditions(); recheckShown(); keepDraft(); });
      form.addEventListener('change', function () { applyConditions(); recheckShown(); keepDraft(); });
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var errors = check();
        if (errors.length) { say('入力内容を確認してください。', true); showErrors(errors); return; }
        clearErrors();
        summary();
        showStep('confirm');
        say('');
        $('confirm-title').focus();
      });
      $('back').addEventListener('click', function () { showStep('form'); $('title').focus(); });
      $('send').addEventListener('click', send);
      showStep('form');
      say(data.draft ? '入力途中の内容（' + data.draft.saved + '保存）を表示しています。' : '');
    });
  }

  idToken().then(function (t) {
    token = t;
    if (!token) { say('LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。', true); return null; }
    var shown = formId ? showForm() : showList().then(showMine);
    return shown;
  }).catch(function (e) { say(e.message, true); });
}());

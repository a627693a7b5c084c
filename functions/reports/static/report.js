// The report form (/liff/reports). The ID token comes from the LIFF SDK inside LINE
// (liff.getIDToken()), or, where there is no SDK (the local run), from ?id_token=. The API
// addresses are read from the page (data-*), which carries the stage prefix on API Gateway.
//
// Photos are checked here (JPEG/PNG, size, count) for a quick answer, and again by the server,
// which reads each upload by its content. Each photo goes straight to storage with a presigned
// PUT; the report names the upload keys.
(function () {
  'use strict';
  var body = document.body;
  var data = function (name) { return body.getAttribute('data-' + name); };
  var maxPhotos = parseInt(data('max-photos'), 10);
  var maxDetails = parseInt(data('max-details'), 10);
  var statusBox = document.getElementById('status');
  var form = document.getElementById('report');
  var token = null;
  var categories = [];
  var limits = { photoBytes: 10 * 1024 * 1024 };
  var chosenPhotos = [];
  var position = null;
  var map = null;
  var marker = null;
  var FIELDS = ['category', 'location', 'photos', 'details', 'answers', 'contact'];

  function $(id) { return document.getElementById(id); }

  function say(text, isError) {
    statusBox.textContent = text;
    statusBox.className = isError ? 'error' : '';
  }

  function idToken() {
    var liffId = data('liff-id');
    if (window.liff && liffId) {
      return window.liff.init({ liffId: liffId }).then(function () {
        if (!window.liff.isLoggedIn()) { window.liff.login(); return null; }
        return window.liff.getIDToken();
      });
    }
    return Promise.resolve(new URLSearchParams(window.location.search).get('id_token'));
  }

  // A refused call carries the field it is about, so the message goes next to that field.
  function ApiRefusal(message, field) { this.message = message; this.field = field; }

  function call(method, url, payload) {
    var options = { method: method, headers: { 'Authorization': 'Bearer ' + token } };
    if (payload) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (r) {
      return r.json().then(function (answer) {
        if (!r.ok) {
          var e = answer.error || {};
          throw new ApiRefusal(e.message || '処理できませんでした。', e.field || null);
        }
        return answer;
      });
    });
  }

  function fieldError(field, message) {
    var box = $(field + '-error');
    box.textContent = message || '';
    var input = {
      category: $('category-field'), location: $('location-field'), photos: $('photos'),
      details: $('details'), answers: $('questions'), contact: $('contact-field')
    }[field];
    if (input) {
      if (message) { input.setAttribute('aria-invalid', 'true'); } else { input.removeAttribute('aria-invalid'); }
    }
  }

  function clearErrors() { FIELDS.forEach(function (f) { fieldError(f, ''); }); }

  function selected() {
    var checked = form.querySelector('input[name=category]:checked');
    if (!checked) { return null; }
    return categories.filter(function (c) { return c.id === checked.value; })[0] || null;
  }

  function drawCategories() {
    var box = $('categories');
    box.textContent = '';
    categories.forEach(function (c, i) {
      var label = document.createElement('label');
      label.className = 'choice category';
      var input = document.createElement('input');
      input.type = 'radio';
      input.name = 'category';
      input.value = c.id;
      input.id = 'category-' + i;
      input.setAttribute('aria-describedby', 'category-' + i + '-description');
      input.addEventListener('change', categoryChosen);
      var text = document.createElement('span');
      var name = document.createElement('span');
      name.className = 'category-name';
      name.textContent = c.name;
      text.appendChild(name);
      if (c.urgent) {
        var urgent = document.createElement('span');
        urgent.className = 'urgent';
        urgent.textContent = '緊急';
        text.appendChild(urgent);
      }
      var description = document.createElement('span');
      description.className = 'description';
      description.id = 'category-' + i + '-description';
      description.textContent = c.description;
      text.appendChild(description);
      label.appendChild(input);
      label.appendChild(text);
      box.appendChild(label);
    });
  }

  function categoryChosen() {
    var c = selected();
    var questions = $('questions');
    questions.textContent = '';
    if (!c) { return; }
    c.questions.forEach(function (q, i) {
      var wrap = document.createElement('div');
      wrap.className = 'field';
      var label = document.createElement('label');
      label.setAttribute('for', 'answer-' + i);
      label.textContent = q.label + (q.required ? '（必須）' : '（任意）');
      var input = document.createElement('input');
      input.type = 'text';
      input.id = 'answer-' + i;
      input.className = 'answer';
      input.maxLength = 200;
      input.setAttribute('aria-describedby', 'answers-error');
      wrap.appendChild(label);
      wrap.appendChild(input);
      questions.appendChild(wrap);
    });
    $('contact-field').hidden = c.anonymousAllowed;
    $('photos-required').textContent = c.photoRequired ? '（必須）' : '（任意）';
    fieldError('category', '');
  }

  // ---- the place ----------------------------------------------------------------------------

  function place(lat, lng, how) {
    position = { lat: lat, lng: lng };
    if (map) {
      if (marker) { marker.setLatLng([lat, lng]); } else { marker = L.marker([lat, lng]).addTo(map); }
      map.setView([lat, lng], Math.max(map.getZoom(), 16));
    }
    $('location-chosen').textContent = how + '（緯度 ' + lat.toFixed(5) + '、経度 ' + lng.toFixed(5) + '）';
    fieldError('location', '');
  }

  function startMap() {
    if (typeof L === 'undefined') { return; }
    L.Icon.Default.imagePath = data('leaflet-images');
    map = L.map('map', { scrollWheelZoom: false });
    L.tileLayer(data('tiles'), {
      maxZoom: 18,
      attribution: '<a href="' + data('tiles-attribution') + '">地理院タイル</a>'
    }).addTo(map);
    map.setView([parseFloat(data('centre-lat')), parseFloat(data('centre-lng'))], 14);
    map.on('click', function (e) { place(e.latlng.lat, e.latlng.lng, '地図で選んだ場所'); });
  }

  function usePosition() {
    if (!navigator.geolocation) {
      fieldError('location', 'この端末では現在地を使えません。地図をタップして場所を選んでください。');
      return;
    }
    $('location-chosen').textContent = '現在地を調べています…';
    navigator.geolocation.getCurrentPosition(function (p) {
      place(p.coords.latitude, p.coords.longitude, '現在地');
    }, function () {
      $('location-chosen').textContent = position ? $('location-chosen').textContent : '場所はまだ選ばれていません。';
      fieldError('location', '現在地を取得できませんでした。地図をタップして場所を選んでください。');
    }, { enableHighAccuracy: true, timeout: 15000 });
  }

  // ---- photos -------------------------------------------------------------------------------

  function drawPhotos() {
    var list = $('photo-list');
    list.textContent = '';
    chosenPhotos.forEach(function (file, i) {
      var li = document.createElement('li');
      var img = document.createElement('img');
      img.src = URL.createObjectURL(file);
      img.alt = (i + 1) + '枚目の写真';
      var remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'secondary-action';
      remove.textContent = (i + 1) + '枚目を外す';
      remove.addEventListener('click', function () { chosenPhotos.splice(i, 1); drawPhotos(); });
      li.appendChild(img);
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  function photosChosen() {
    var input = $('photos');
    var problems = [];
    Array.prototype.forEach.call(input.files, function (file) {
      if (file.type !== 'image/jpeg' && file.type !== 'image/png') {
        problems.push('「' + file.name + '」はJPEGかPNGではありません。');
      } else if (file.size > limits.photoBytes) {
        problems.push('「' + file.name + '」は大きすぎます（10MBまで）。');
      } else if (chosenPhotos.length >= maxPhotos) {
        problems.push('写真は' + maxPhotos + '枚までです。');
      } else {
        chosenPhotos.push(file);
      }
    });
    input.value = '';
    fieldError('photos', problems.join(' '));
    drawPhotos();
  }

  // ---- checking, confirming, sending --------------------------------------------------------

  function answers() {
    return Array.prototype.map.call(form.querySelectorAll('input.answer'), function (i) { return i.value.trim(); });
  }

  function check() {
    clearErrors();
    var c = selected();
    var ok = true;
    var fail = function (field, message) { if (ok) { firstBad = field; } ok = false; fieldError(field, message); };
    var firstBad = null;
    if (!c) { fail('category', '種類を選んでください。'); }
    if (!position) { fail('location', '場所を選んでください。'); }
    if (c && c.photoRequired && chosenPhotos.length === 0) { fail('photos', 'この種類の通報には写真が1枚以上必要です。'); }
    var details = $('details').value.trim();
    if (!details) { fail('details', '内容を入力してください。'); }
    if (details.length > maxDetails) { fail('details', '内容は' + maxDetails + '文字以内にしてください。'); }
    if (c) {
      var given = answers();
      c.questions.forEach(function (q, i) {
        if (q.required && !given[i]) { fail('answers', '「' + q.label + '」への回答を入力してください。'); }
      });
      if (!c.anonymousAllowed && (!$('contact-name').value.trim() || !$('contact-phone').value.trim())) {
        fail('contact', 'この種類の通報には、お名前と電話番号が必要です。');
      }
    }
    if (!ok) { say('入力内容を確認してください。', true); focusField(firstBad); }
    return ok;
  }

  function focusField(field) {
    var target = { category: form.querySelector('input[name=category]'), location: $('use-position'),
      photos: $('photos'), details: $('details'), answers: form.querySelector('input.answer'),
      contact: $('contact-name') }[field];
    if (target) { target.focus(); }
  }

  function row(list, term, value) {
    var dt = document.createElement('dt');
    dt.textContent = term;
    var dd = document.createElement('dd');
    dd.textContent = value;
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function showStep(id) {
    $('step-form').hidden = id !== 'step-form';
    $('step-confirm').hidden = id !== 'step-confirm';
  }

  function confirmStep(event) {
    event.preventDefault();
    if (!check()) { return; }
    var c = selected();
    var summary = $('summary');
    summary.textContent = '';
    row(summary, '種類', c.name);
    row(summary, '場所', $('location-chosen').textContent);
    row(summary, '写真', chosenPhotos.length + '枚');
    row(summary, '内容', $('details').value.trim());
    var given = answers();
    c.questions.forEach(function (q, i) { row(summary, q.label, given[i] || '（回答なし）'); });
    if (!c.anonymousAllowed) {
      row(summary, 'お名前', $('contact-name').value.trim());
      row(summary, '電話番号', $('contact-phone').value.trim());
    }
    say('');
    showStep('step-confirm');
    $('step-confirm-title').focus();
  }

  function upload(file) {
    return call('POST', data('uploads-api'), { contentType: file.type, bytes: file.size })
      .then(function (given) {
        return fetch(given.url, { method: given.method, headers: given.headers, body: file })
          .then(function (r) {
            if (!r.ok) { throw new ApiRefusal('写真を送れませんでした。もう一度お試しください。', 'photos'); }
            return given.key;
          });
      });
  }

  function send() {
    var c = selected();
    var button = $('send');
    button.disabled = true;
    say('送信しています…');
    var keys = [];
    var chain = Promise.resolve();
    chosenPhotos.forEach(function (file) {
      chain = chain.then(function () { return upload(file).then(function (k) { keys.push(k); }); });
    });
    chain.then(function () {
      var payload = {
        category: c.id,
        latitude: position.lat,
        longitude: position.lng,
        photos: keys,
        details: $('details').value.trim(),
        answers: answers()
      };
      if (!c.anonymousAllowed) {
        payload.contact = { name: $('contact-name').value.trim(), phone: $('contact-phone').value.trim() };
      }
      return call('POST', data('reports-api'), payload);
    }).then(function (filed) {
      form.hidden = true;
      $('receipt').textContent = filed.receiptNumber;
      $('step-done').hidden = false;
      say('送信しました。受付番号は ' + filed.receiptNumber + ' です。');
      $('step-done-title').focus();
      loadMine();
    }).catch(function (e) {
      button.disabled = false;
      showStep('step-form');
      say(e.message || '送信できませんでした。', true);
      if (e.field) { fieldError(e.field, e.message); focusField(e.field); }
    });
  }

  function loadMine() {
    call('GET', data('mine-api')).then(function (answer) {
      var list = $('mine');
      list.textContent = '';
      answer.reports.forEach(function (r) {
        var li = document.createElement('li');
        li.textContent = r.receiptNumber + '　' + r.category + '　' + r.status + '（' + r.filed + '）';
        list.appendChild(li);
      });
      $('mine-section').hidden = answer.reports.length === 0;
    }).catch(function () { /* the history is extra: the form works without it */ });
  }

  idToken().then(function (t) {
    if (!t) { throw new Error('LINEのログインを確認できませんでした。LINEアプリからページを開き直してください。'); }
    token = t;
    return call('GET', data('categories-api'));
  }).then(function (answer) {
    categories = answer.categories;
    limits = answer.limits;
    drawCategories();
    startMap();
    form.hidden = false;
    say('');
    loadMine();
  }).catch(function (e) { say(e.message || '読み込めませんでした。', true); });

  form.addEventListener('submit', confirmStep);
  $('photos').addEventListener('change', photosChosen);
  $('use-position').addEventListener('click', usePosition);
  $('send').addEventListener('click', send);
  $('back').addEventListener('click', function () { showStep('step-form'); say(''); });
  $('details').addEventListener('input', function () { fieldError('details', ''); });
}());

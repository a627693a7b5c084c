// A place's add-friend page (/liff/join/<code>). Inside LINE (the LIFF SDK and a LIFF ID), the
// page signs in, tells the API which place's QR was read, and opens LINE's add-friend screen
// unless the citizen is a friend already. In the local run and its simulator the ID token comes
// from ?id_token=. Anywhere else (a phone's own camera app) it only opens the add-friend link:
// the read was counted when the page was served.
(function () {
  var api = document.body.getAttribute('data-api');
  var liffId = document.body.getAttribute('data-liff-id');
  var addFriend = document.body.getAttribute('data-add-friend');
  var statusBox = document.getElementById('status');
  var inLine = !!(window.liff && liffId);

  function say(text) { statusBox.textContent = text; }

  function idToken() {
    if (inLine) {
      return window.liff.init({ liffId: liffId }).then(function () {
        if (!window.liff.isLoggedIn()) { window.liff.login(); return null; }
        return window.liff.getIDToken();
      });
    }
    return Promise.resolve(new URLSearchParams(window.location.search).get('id_token'));
  }

  function alreadyFriend() {
    if (!inLine) { return Promise.resolve(false); }
    return window.liff.getFriendship().then(function (f) { return f.friendFlag; });
  }

  idToken().then(function (token) {
    if (!token) { window.location.replace(addFriend); return; }
    return fetch(api, { method: 'POST', headers: { 'Authorization': 'Bearer ' + token } })
      .then(function (r) {
        return r.json().then(function (data) {
          if (!r.ok) { throw new Error((data.error && data.error.message) || data.message || '処理できませんでした。'); }
          return alreadyFriend();
        });
      })
      .then(function (friend) {
        if (friend) { say('すでに友だちです。ご利用ありがとうございます。'); return; }
        say('「友だち追加する」を押してください。');
        if (inLine) { window.location.replace(addFriend); }
      });
  }).catch(function (e) {
    // The button still works: adding the account matters more than counting where from.
    say(e.message || '「友だち追加する」を押してください。');
  });
})();

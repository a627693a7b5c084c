// The delivery composer's help while the clerk types; the page works without it (the server
// checks everything again). Loaded as a file, not inline, so the console's
// Content-Security-Policy can refuse inline scripts.
(function () {
  'use strict';

  // Counts characters as LINE does: UTF-16 code units, which is what String.length counts
  // (an emoji outside the BMP counts 2).
  document.querySelectorAll('textarea[data-count]').forEach(function (textarea) {
    var counter = document.getElementById(textarea.dataset.count);
    if (!counter) return;
    textarea.addEventListener('input', function () {
      counter.textContent = textarea.value.length + ' / 5000';
    });
  });

  // Stops a submission the server would refuse as too large before the clerk's typing is sent
  // away, and says what to do.
  document.querySelectorAll('form[data-max-bytes]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      var bytes = 0;
      form.querySelectorAll('input[type=file]').forEach(function (input) {
        for (var i = 0; i < input.files.length; i++) {
          bytes += input.files[i].size;
        }
      });
      if (bytes > Number(form.dataset.maxBytes)) {
        event.preventDefault();
        alert('画像の合計が大きすぎます（' + (bytes / 1048576).toFixed(1) + 'MB）。' +
          '1回に保存できるのは合計4.5MBまでです。画像は1枚ずつ選んで保存してください。');
      }
    });
  });
})();

// The delivery composer's help while the clerk types; the page works without it (the server
// checks everything again). Loaded as a file, not inline, so the console's
// Content-Security-Policy can refuse inline scripts.
(function () {
  'use strict';

  // Counts characters as LINE does: UTF-16 code units, which is what String.length counts
  // (an emoji outside the BMP counts 2). Past the limit the count turns red and says so.
  document.querySelectorAll('textarea[data-count]').forEach(function (textarea) {
    var counter = document.getElementById(textarea.dataset.count);
    if (!counter) return;
    var limit = Number(textarea.dataset.limit);
    textarea.addEventListener('input', function () {
      var length = textarea.value.length;
      var over = length > limit;
      counter.textContent = length + ' / ' + limit + (over ? '（' + (length - limit) + '文字多すぎます）' : '');
      counter.classList.toggle('over', over);
    });
  });

  // Shows a bubble's fields for its chosen kind only (all of them while the kind is 「なし」).
  // Fields that hold something stay visible, so nothing typed is hidden from the clerk.
  function holdsSomething(group) {
    return Array.prototype.some.call(group.querySelectorAll('input, textarea'), function (field) {
      if (field.type === 'hidden') return false;
      if (field.type === 'file') return field.files.length > 0;
      return field.value.trim() !== '';
    });
  }
  document.querySelectorAll('select[data-slot]').forEach(function (select) {
    var slot = select.closest('.bubble-slot');
    function show() {
      slot.querySelectorAll('.kind-fields').forEach(function (group) {
        var serves = group.dataset.kinds.split(' ').indexOf(select.value) >= 0;
        group.hidden = select.value !== '' && !serves && !holdsSomething(group);
      });
    }
    select.addEventListener('change', show);
    show();
  });

  // Choosing 「条件で絞り込む」 opens the conditions.
  var conditions = document.querySelector('details.segment-conditions');
  document.querySelectorAll('input[name="target"]').forEach(function (radio) {
    radio.addEventListener('change', function () {
      if (conditions) conditions.open = radio.checked && radio.value === 'segment';
    });
  });

  // Phone photos (often 5-15 MB) are shrunk here before they are sent: the console takes at
  // most a few MB per request. The long side becomes 2048 px, what the server keeps for LINE
  // anyway, as a JPEG; drawing the picture applies its Exif rotation and drops the rest of the
  // Exif data (where the photo was taken).
  var LONG_SIDE = 2048;
  var QUALITY = 0.85;
  var SHRINK_ABOVE = 1024 * 1024;
  var pending = [];

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + 'MB';
  }

  function shrink(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement('canvas');
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext('2d');
      // A transparent PNG would turn black as a JPEG.
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob); else reject(new Error('toBlob'));
        }, 'image/jpeg', QUALITY);
      });
    }).then(function (blob) {
      var name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
      return new File([blob], name, { type: 'image/jpeg' });
    });
  }

  document.querySelectorAll('input[type=file][name^="file"]').forEach(function (input) {
    var status = document.createElement('span');
    status.className = 'hint photo-status';
    status.setAttribute('role', 'status');
    input.insertAdjacentElement('afterend', status);
    input.addEventListener('change', function () {
      var file = input.files[0];
      status.textContent = '';
      if (!file || file.size <= SHRINK_ABOVE || typeof createImageBitmap !== 'function') return;
      status.textContent = '写真を縮小しています…';
      var done = shrink(file).then(function (small) {
        var files = new DataTransfer();
        files.items.add(small);
        input.files = files.files;
        status.textContent = '写真を縮小しました（' + megabytes(file.size) + ' → ' + megabytes(small.size) + '）。';
      }, function () {
        // Not a picture the browser can read: the server says what is wrong with it.
        status.textContent = '';
      });
      pending.push(done);
    });
  });

  // Stops a submission the server would refuse as too large before the clerk's typing is sent
  // away, and says what to do; waits for photos still being shrunk.
  document.querySelectorAll('form[data-max-bytes]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (pending.length > 0) {
        event.preventDefault();
        var waiting = pending;
        pending = [];
        var submitter = event.submitter;
        // A task later, not a microtask: while this submit event is still being dispatched the
        // browser ignores another submission.
        Promise.all(waiting).then(function () {
          setTimeout(function () { form.requestSubmit(submitter); }, 0);
        });
        return;
      }
      var bytes = 0;
      form.querySelectorAll('input[type=file]').forEach(function (input) {
        for (var i = 0; i < input.files.length; i++) {
          bytes += input.files[i].size;
        }
      });
      if (bytes > Number(form.dataset.maxBytes)) {
        event.preventDefault();
        alert('画像の合計が大きすぎます（' + megabytes(bytes) + '）。' +
          '1回に保存できるのは合計' + megabytes(Number(form.dataset.maxBytes)) + 'までです。画像は1枚ずつ選んで保存してください。');
      }
    });
  });
})();

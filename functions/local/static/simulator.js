// LINE simulator page. All text from the server is inserted with textContent (never innerHTML).
"use strict";
(() => {
  const $ = (sel) => document.querySelector(sel);
  let current = null; // { userId, name }
  let lastRendered = "";
  // The rich menu drawn: LINE's menu object as JSON, and the tab alias the citizen switched to.
  let lastMenu = "";
  let menuAlias = null;

  function setStatus(text, isError) {
    const s = $("#status");
    s.textContent = text || "";
    s.classList.toggle("error", !!isError);
  }

  // A message next to the control that caused it (`slot`), or in the phone's status line.
  function report(slot, text, isError) {
    if (!slot) { setStatus(text, isError); return; }
    slot.textContent = text || "";
    slot.classList.toggle("error", !!isError);
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || `エラーが発生しました（${res.status}）`);
    return data;
  }

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    for (const c of children) if (c != null) e.append(c);
    return e;
  }

  function enableControls(on) {
    document.querySelectorAll("form button, .buttons button, #text").forEach((b) => {
      if (b.closest("#new-citizen")) return;
      b.disabled = !on;
    });
  }

  async function loadCitizens() {
    const list = $("#citizen-list");
    const citizens = await api("GET", "/simulator/api/citizens");
    list.replaceChildren();
    if (citizens.length === 0) list.append(el("li", { textContent: "まだ市民がいません。下で追加してください。" }));
    for (const c of citizens) {
      const b = el("button", { type: "button", textContent: c.name });
      b.dataset.userId = c.userId;
      b.setAttribute("aria-pressed", String(!!current && current.userId === c.userId));
      b.title = c.userId;
      b.addEventListener("click", () => select(c));
      list.append(el("li", {}, b));
    }
  }

  function select(citizen) {
    current = citizen;
    lastRendered = "";
    lastMenu = "";
    menuAlias = null;
    document.querySelectorAll(".result").forEach((r) => report(r, ""));
    $("#chat-title").textContent = citizen.name;
    document.querySelectorAll(".citizen-list button").forEach((b) =>
      b.setAttribute("aria-pressed", String(b.dataset.userId === citizen.userId)));
    const liff = document.getElementById("liff-registration");
    if (liff) {
      liff.href = `/simulator/liff/registration?userId=${encodeURIComponent(citizen.userId)}`;
      liff.hidden = false;
    }
    const forms = document.getElementById("liff-forms");
    if (forms) {
      forms.href = `/simulator/liff/forms?userId=${encodeURIComponent(citizen.userId)}`;
      forms.hidden = false;
    }
    enableControls(true);
    refresh();
  }

  async function send(action, slot) {
    if (!current) return;
    report(slot, "送信中…");
    try {
      const r = await api("POST", "/simulator/api/events", { userId: current.userId, ...action });
      // Several photos answer one result per webhook sent.
      const statuses = (r.sent || [r]).map((x) => x.webhookStatus);
      const ok = statuses.every((st) => st === 200);
      report(slot, ok ? "送信しました" : `Webhook の応答: ${statuses.join(", ")}`, !ok);
      setTimeout(refresh, 300);
      setTimeout(refresh, 1200);
    } catch (e) {
      report(slot, e.message, true);
    }
  }

  // What LINE does when an area of the rich menu is tapped.
  function tapArea(a) {
    const slot = $("#status");
    if (a.type === "postback") send({ kind: "postback", data: a.data, displayText: a.displayText || null }, slot);
    else if (a.type === "message") send({ kind: "text", text: a.text }, slot);
    else if (a.type === "uri") window.open(a.uri, "_blank", "noopener");
    else if (a.type === "richmenuswitch") {
      menuAlias = a.richMenuAliasId;
      send({ kind: "postback", data: a.data }, slot);
      loadMenu();
    } else setStatus(`この動作（${a.type}）はシミュレーターでは試せません`, true);
  }

  // The rich menu LINE shows this citizen (their own link, or the default), drawn from the fake
  // LINE's state: the image with a button over each area.
  async function loadMenu() {
    if (!current) return;
    const query = menuAlias ? `alias=${encodeURIComponent(menuAlias)}` : `userId=${encodeURIComponent(current.userId)}`;
    let menu;
    try { menu = await api("GET", `/simulator/api/richmenu?${query}`); } catch (e) { setStatus(e.message, true); return; }
    const key = JSON.stringify(menu);
    if (key === lastMenu) return;
    lastMenu = key;
    const box = $("#richmenu");
    box.hidden = !menu;
    $("#richmenu-none").hidden = !!menu;
    if (!menu) return;
    $("#richmenu-bar").textContent = `${menu.chatBarText} ▾`;
    $("#richmenu-bar").setAttribute("aria-expanded", String(!!menu.selected));
    $("#richmenu-panel").hidden = !menu.selected;
    const image = $("#richmenu-image");
    image.src = menu.imageUrl;
    image.width = menu.size.width;
    image.height = menu.size.height;
    const areas = $("#richmenu-areas");
    areas.replaceChildren();
    menu.areas.forEach((area, i) => {
      const b = area.bounds, a = area.action || {};
      const button = el("button", { type: "button", className: "richmenu-area", title: a.label || `エリア${i + 1}` });
      button.setAttribute("aria-label", a.label || `エリア${i + 1}`);
      // Positions set through the CSSOM, which the Content-Security-Policy allows.
      button.style.left = `${(100 * b.x) / menu.size.width}%`;
      button.style.top = `${(100 * b.y) / menu.size.height}%`;
      button.style.width = `${(100 * b.width) / menu.size.width}%`;
      button.style.height = `${(100 * b.height) / menu.size.height}%`;
      button.addEventListener("click", () => tapArea(a));
      areas.append(button);
    });
  }

  function rawDetails(raw) {
    return el("details", {}, el("summary", { textContent: "JSON" }), el("pre", { textContent: JSON.stringify(raw, null, 2) }));
  }

  // A location as LINE shows it: a card with the place's name and address, opening a map.
  function locationCard(m) {
    const map = `https://www.openstreetmap.org/?mlat=${m.latitude}&mlon=${m.longitude}#map=17/${m.latitude}/${m.longitude}`;
    return el("div", { className: "location-card" },
      el("strong", { textContent: `📍 ${m.title || "位置情報"}` }),
      el("div", { textContent: m.address || "" }),
      el("div", { className: "meta", textContent: `${m.latitude}, ${m.longitude}` }),
      el("a", { href: map, target: "_blank", rel: "noopener", textContent: "地図で開く" }));
  }

  // Flex bubbles: images, texts and link buttons in reading order (hero, body, footer); other
  // components are summarised by the message's altText.
  function flexParts(m) {
    const out = [];
    const walk = (c) => {
      if (!c || typeof c !== "object") return;
      if (c.type === "bubble") { ["header", "hero", "body", "footer"].forEach((k) => walk(c[k])); return; }
      if (c.type === "carousel") { (c.contents || []).forEach(walk); return; }
      if (c.type === "box") { (c.contents || []).forEach(walk); return; }
      if (c.type === "image") {
        const img = el("img", { src: c.url, alt: m.altText || "画像", className: "bot-image" });
        const a = c.action;
        out.push(a && a.type === "uri" ? el("a", { href: a.uri, target: "_blank", rel: "noopener" }, img) : img);
      } else if (c.type === "text") {
        out.push(el("div", { textContent: c.text || "" }));
      } else if (c.type === "button" && c.action) {
        const a = c.action;
        if (a.type === "uri") out.push(el("a", { className: "flex-button", href: a.uri, target: "_blank", rel: "noopener", textContent: a.label || a.uri }));
        else out.push(el("div", { className: "flex-button", textContent: a.label || a.type }));
      }
    };
    walk(m.contents);
    if (!out.length) out.push(el("div", { textContent: `[flex] ${m.altText || ""}` }));
    return out;
  }

  function botMessage(m) {
    const parts = [];
    switch (m.type) {
      case "text": parts.push(el("div", { textContent: m.text })); break;
      case "image":
        parts.push(el("a", { href: m.originalContentUrl, target: "_blank", rel: "noopener" },
          el("img", { src: m.previewImageUrl || m.originalContentUrl, alt: "画像", className: "bot-image" })));
        break;
      case "location": parts.push(locationCard(m)); break;
      case "flex": parts.push(...flexParts(m)); break;
      case "sticker": parts.push(el("div", { textContent: `スタンプ (${m.packageId}/${m.stickerId})` })); break;
      default: parts.push(el("div", { textContent: `[${m.type}] ${m.altText || ""}` }));
    }
    const items = m.quickReply && m.quickReply.items;
    if (items && items.length) {
      const q = el("div", { className: "quick" });
      for (const it of items) {
        const a = it.action || {};
        const b = el("button", { type: "button", textContent: a.label || a.type });
        b.addEventListener("click", () => {
          if (a.type === "message") send({ kind: "text", text: a.text });
          else if (a.type === "postback") send({ kind: "postback", data: a.data });
          else if (a.type === "uri") window.open(a.uri, "_blank", "noopener");
          else if (a.type === "location") $("#lat").focus();
          else if (a.type === "datetimepicker") pickDate(q, a);
        });
        q.append(b);
      }
      parts.push(q);
    }
    return parts;
  }

  // LINE's date picker: a date field under the buttons, sent as the postback's params.
  function pickDate(quick, a) {
    const input = el("input", { type: a.mode === "time" ? "time" : a.mode === "datetime" ? "datetime-local" : "date", value: a.initial || "" });
    input.setAttribute("aria-label", a.label || "日付");
    if (a.min) input.min = a.min;
    if (a.max) input.max = a.max;
    const ok = el("button", { type: "button", textContent: "決定" });
    ok.addEventListener("click", () => {
      if (!input.value) return;
      const key = a.mode === "time" ? "time" : a.mode === "datetime" ? "datetime" : "date";
      send({ kind: "postback", data: a.data, displayText: a.label || null, params: { [key]: input.value } });
    });
    quick.append(el("div", { className: "picker" }, input, ok));
  }

  function time(at) {
    return new Date(at).toLocaleTimeString("ja-JP", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  async function refresh() {
    if (!current) return;
    loadMenu();
    let entries;
    try {
      entries = await api("GET", `/simulator/api/conversation?userId=${encodeURIComponent(current.userId)}`);
    } catch (e) { setStatus(e.message, true); return; }
    const key = JSON.stringify(entries);
    if (key === lastRendered) return;
    lastRendered = key;
    const chat = $("#chat");
    chat.replaceChildren();
    for (const e of entries) {
      if (e.from === "citizen") {
        const photo = e.imageUrl
          ? el("img", { src: e.imageUrl, alt: e.summary, className: "bot-image" })
          : el("div", { textContent: e.summary });
        chat.append(el("div", { className: "bubble from-citizen" },
          photo,
          el("div", { className: "meta", textContent: `${time(e.at)} ・ Webhook ${e.webhookStatus}` }),
          rawDetails(e.raw)));
      } else {
        // `display` has the media URLs this page can load (see simulator.rs `for_display`).
        for (const m of (e.display || e.messages)) {
          const b = el("div", { className: "bubble from-bot" }, ...botMessage(m));
          b.append(el("div", { className: "meta", textContent: `${time(e.at)} ・ ${e.via}` }));
          if (e.schemaErrors && e.schemaErrors.length) b.append(el("div", { className: "schema-error", textContent: `仕様違反: ${e.schemaErrors.join(" / ")}` }));
          b.append(rawDetails(e.raw));
          chat.append(b);
        }
      }
    }
    chat.scrollTop = chat.scrollHeight;
  }

  $("#new-citizen").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const c = await api("POST", "/simulator/api/citizens", { name: $("#new-name").value });
      $("#new-name").value = "";
      await loadCitizens();
      select(c);
      setStatus(`${c.name} さんを追加しました。「友だち追加」を押すとあいさつが届きます。`);
    } catch (e) { setStatus(e.message, true); }
  });
  $("#text-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("#text").value;
    if (!text) return;
    $("#text").value = "";
    send({ kind: "text", text });
  });
  document.querySelectorAll("[data-action]").forEach((b) =>
    b.addEventListener("click", () => send({ kind: b.dataset.action }, $("#buttons-result"))));
  $("#richmenu-bar").addEventListener("click", () => {
    const open = $("#richmenu-panel").hidden;
    $("#richmenu-panel").hidden = !open;
    $("#richmenu-bar").setAttribute("aria-expanded", String(open));
  });
  $("#location-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const latitude = Number($("#lat").value), longitude = Number($("#lng").value);
    const slot = ev.target.querySelector(".result");
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) { report(slot, "緯度・経度は数値で入力してください", true); return; }
    send({ kind: "location", latitude, longitude, title: $("#loc-title").value || null }, slot);
  });
  function readBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",")[1]);
      reader.onerror = () => reject(new Error(`${file.name} を読み込めませんでした`));
      reader.readAsDataURL(file);
    });
  }
  $("#image-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const slot = ev.target.querySelector(".result");
    const files = Array.from($("#image").files);
    if (!files.length) { report(slot, "画像ファイルを選んでください", true); return; }
    let images;
    try {
      images = await Promise.all(files.map(async (f) => ({ contentType: f.type, dataBase64: await readBase64(f) })));
    } catch (e) { report(slot, e.message, true); return; }
    // One photo is a plain image event; several are sent together, as an image set.
    if (images.length === 1) send({ kind: "image", ...images[0] }, slot);
    else send({ kind: "images", images }, slot);
  });
  $("#sticker-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    send({ kind: "sticker", packageId: f.get("packageId"), stickerId: f.get("stickerId") }, ev.target.querySelector(".result"));
  });
  $("#postback-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    send({ kind: "postback", data: $("#postback-data").value }, ev.target.querySelector(".result"));
  });

  // Map around 小浜市役所; tiles need internet, clicks work without.
  if (window.L) {
    const map = L.map("map").setView([35.4955, 135.7466], 13);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18, attribution: "&copy; OpenStreetMap contributors",
    }).addTo(map);
    const marker = L.marker([35.4955, 135.7466]).addTo(map);
    map.on("click", (ev) => {
      marker.setLatLng(ev.latlng);
      $("#lat").value = ev.latlng.lat.toFixed(6);
      $("#lng").value = ev.latlng.lng.toFixed(6);
    });
  }

  enableControls(false);
  loadCitizens().catch((e) => setStatus(e.message, true));
  setInterval(refresh, 2000);
})();

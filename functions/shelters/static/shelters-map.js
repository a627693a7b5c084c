// The shelters map page: the citizen's position (from ?lat=&lng= or the browser's
// geolocation), the nearest sites from the API as a list, and, when Leaflet and the tiles can
// load, the same sites on GSI's map. The list alone says everything the map shows.
"use strict";

(function () {
  const body = document.body;
  const api = body.dataset.api;
  const status = document.getElementById("status");
  const list = document.getElementById("sites");
  const hazardSelect = document.getElementById("hazard");
  const kindSelect = document.getElementById("kind");
  const locate = document.getElementById("locate");
  const params = new URLSearchParams(window.location.search);
  let position = readPosition(params);
  let map = null;
  let layer = null;

  if (params.get("hazard")) hazardSelect.value = params.get("hazard");
  if (kindSelect && params.get("kind")) kindSelect.value = params.get("kind");

  function readPosition(p) {
    const lat = parseFloat(p.get("lat"));
    const lng = parseFloat(p.get("lng"));
    if (Number.isFinite(lat) && Number.isFinite(lng)) return { lat: lat, lng: lng };
    return null;
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function ensureMap() {
    if (map || typeof L === "undefined") return map;
    L.Icon.Default.imagePath = body.dataset.leafletImages;
    map = L.map("map", { scrollWheelZoom: false });
    L.tileLayer(body.dataset.tiles, {
      maxZoom: 18,
      attribution:
        '<a href="' + body.dataset.tilesAttribution + '">地理院タイル</a>',
    }).addTo(map);
    layer = L.layerGroup().addTo(map);
    return map;
  }

  function text(tag, className, content) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    el.textContent = content;
    return el;
  }

  function siteItem(site, index) {
    const li = document.createElement("li");
    li.className = "site";
    const heading = text("h3", "site-name", (index + 1) + ". " + site.name);
    li.appendChild(heading);
    li.appendChild(text("p", "distance", "直線距離 " + site.distance));
    if (site.designations.length) {
      li.appendChild(text("p", "designations", site.designations.join("・")));
    }
    li.appendChild(
      text(
        "p",
        "hazards",
        site.hazards.length ? "対象の災害：" + site.hazards.join("・") : "対象の災害：指定なし"
      )
    );
    if (site.status) {
      const p = text("p", "status status-" + site.status.code, "状況：" + site.status.label);
      p.appendChild(text("span", "updated", "（" + site.status.updatedAt + " 更新）"));
      li.appendChild(p);
    }
    if (site.address) li.appendChild(text("p", "address", site.address));
    const route = text("a", "route", "徒歩ルート（Googleマップ）");
    route.href = site.routeUrl;
    route.rel = "noopener";
    route.target = "_blank";
    li.appendChild(route);
    return li;
  }

  function show(answer) {
    list.replaceChildren();
    answer.sites.forEach(function (site, i) {
      list.appendChild(siteItem(site, i));
    });
    let heading = answer.sites.length + "か所を近い順に表示しています。";
    if (answer.hazards.length) {
      const labels = answer.hazards.map(function (h) { return h.label; });
      heading = "「" + labels.join("・") + "」に対応する" + heading;
    }
    if (answer.emergency) heading = "【" + answer.emergency + "】" + heading;
    if (!answer.sites.length) heading = "条件に合う施設が見つかりませんでした。";
    say(heading, false);
    if (!ensureMap()) return;
    layer.clearLayers();
    const here = L.circleMarker([answer.latitude, answer.longitude], { radius: 9 })
      .bindPopup("現在地")
      .addTo(layer);
    const bounds = [here.getLatLng()];
    answer.sites.forEach(function (site, i) {
      const marker = L.marker([site.latitude, site.longitude], {
        title: (i + 1) + ". " + site.name,
        alt: (i + 1) + ". " + site.name,
      });
      marker.bindPopup((i + 1) + ". " + site.name + "（" + site.distance + "）");
      // The list's number on the map, so the two can be read together.
      marker.bindTooltip(String(i + 1), { permanent: true, direction: "right", className: "site-number" });
      marker.addTo(layer);
      bounds.push(marker.getLatLng());
    });
    // The page's layout may have changed since the map measured its box (large text, a
    // rotated phone): measure again before framing the sites.
    map.invalidateSize();
    map.fitBounds(L.latLngBounds(bounds), { padding: [24, 24], maxZoom: 16, animate: false });
  }

  function load() {
    if (!position) return;
    const query = new URLSearchParams({ lat: position.lat, lng: position.lng });
    if (hazardSelect.value) query.set("hazard", hazardSelect.value);
    if (kindSelect && kindSelect.value) query.set("kind", kindSelect.value);
    say("検索しています…", false);
    fetch(api + "?" + query.toString(), { headers: { accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) throw new Error(json.error ? json.error.message : "検索できませんでした。");
          return json;
        });
      })
      .then(show)
      .catch(function (e) {
        say(e.message || "検索できませんでした。通信状態を確認して、もう一度お試しください。", true);
      });
  }

  locate.addEventListener("click", function () {
    if (!navigator.geolocation) {
      say("この端末では現在地を取得できません。LINEのトークで位置情報を送ってください。", true);
      return;
    }
    say("現在地を取得しています…", false);
    navigator.geolocation.getCurrentPosition(
      function (p) {
        position = { lat: p.coords.latitude, lng: p.coords.longitude };
        load();
      },
      function () {
        say("現在地を取得できませんでした。位置情報の利用を許可するか、LINEのトークで位置情報を送ってください。", true);
      },
      { enableHighAccuracy: true, timeout: 15000 }
    );
  });
  hazardSelect.addEventListener("change", load);
  if (kindSelect) kindSelect.addEventListener("change", load);
  document.getElementById("filters").addEventListener("submit", function (e) {
    e.preventDefault();
    load();
  });
  load();
})();

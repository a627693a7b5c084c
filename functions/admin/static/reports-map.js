// The reports map: a marker per item of the list under the map (#map-reports li with
// data-lat, data-lng, data-href, data-label), each linking to its report, on GSI's tiles. The
// list says everything the markers do, so nothing is lost where Leaflet or the tiles cannot load.
"use strict";

(function () {
  const box = document.getElementById("report-map");
  if (!box || typeof L === "undefined") return;
  const items = Array.prototype.slice.call(
    document.querySelectorAll("#map-reports li[data-lat]")
  );
  L.Icon.Default.imagePath = box.dataset.leafletImages;
  const map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer(box.dataset.tiles, {
    maxZoom: 18,
    attribution: '<a href="' + box.dataset.tilesAttribution + '">地理院タイル</a>',
  }).addTo(map);
  const points = [];
  items.forEach(function (li) {
    const lat = parseFloat(li.dataset.lat);
    const lng = parseFloat(li.dataset.lng);
    if (!Number.isFinite(lat) || !Number.isFinite(lng)) return;
    const link = document.createElement("a");
    link.href = li.dataset.href;
    link.textContent = li.dataset.label;
    L.marker([lat, lng], { title: li.dataset.label }).addTo(map).bindPopup(link);
    points.push([lat, lng]);
  });
  if (points.length === 1) {
    map.setView(points[0], 16);
  } else if (points.length > 1) {
    map.fitBounds(points, { padding: [24, 24], maxZoom: 16 });
  } else {
    // 小浜市役所: the city's centre when nothing is listed.
    map.setView([35.4954, 135.7466], 12);
  }
})();

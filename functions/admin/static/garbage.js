// ごみカレンダー: paints each kind's chip in the kind's colour (data-colour, with data-ink for its
// text). The pages' Content-Security-Policy applies no inline style; setting a style from a
// script is allowed. Only colours written as #rgb or #rrggbb are used.
"use strict";
(() => {
  const colour = /^#(?:[0-9a-fA-F]{3}){1,2}$/;
  document.querySelectorAll(".chip[data-colour]").forEach((chip) => {
    const background = chip.dataset.colour;
    const ink = chip.dataset.ink;
    if (colour.test(background)) chip.style.backgroundColor = background;
    if (colour.test(ink)) chip.style.color = ink;
  });
})();

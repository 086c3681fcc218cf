/*
 * The filters' "What these mean" glossaries (components/shell.py, term_help), opened beside their labels:
 *  - one at a time: opening one closes the other, which it would otherwise cover;
 *  - always inside the window: a glossary opened near the right edge (Evaluation, at 1024 px) moves left
 *    until it fits, so the page never scrolls sideways;
 *  - Escape closes the open one and gives the focus back to its "What these mean"; a click elsewhere on the
 *    page closes it too, as it does any pop-up.
 * A plain <details name> would do the first, but Dash's html.Details has no `name`.
 */
(function () {
  var GAP = 8; // px kept free between a glossary and the window's edge

  function place(details) {
    var box = details.querySelector(':scope > dl');
    if (!box) { return; }
    box.style.left = '';
    var rect = box.getBoundingClientRect();
    var room = document.documentElement.clientWidth - GAP;
    if (rect.right > room) {
      box.style.left = -Math.min(rect.right - room, rect.left - GAP) + 'px';
    }
  }

  document.addEventListener('toggle', function (event) {
    var details = event.target;
    if (!details.matches || !details.matches('details.term-help') || !details.open) { return; }
    document.querySelectorAll('details.term-help[open]').forEach(function (other) {
      if (other !== details) { other.open = false; }
    });
    place(details);
  }, true);

  window.addEventListener('resize', function () {
    document.querySelectorAll('details.term-help[open]').forEach(place);
  });

  document.addEventListener('click', function (event) {
    document.querySelectorAll('details.term-help[open]').forEach(function (open) {
      if (!open.contains(event.target)) { open.open = false; }
    });
  }, true);

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') { return; }
    var open = document.querySelector('details.term-help[open]');
    if (!open) { return; }
    open.open = false;
    var summary = open.querySelector(':scope > summary');
    if (summary) { summary.focus(); }
  });
})();

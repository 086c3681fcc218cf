/*
 * The force map, drawn as SVG from what the server sends (domain/force_map.py): the shapes once, the
 * colours on each filter, the outline of the selected force from the view state. No plotly.js: the
 * page paints and answers clicks without evaluating a 1.4 MB bundle first.
 *
 * A click sets the `force-map-click` store (dash_clientside.set_props), which the view state's
 * callback reads. Tooltips are set as text, never as markup: names may come from the register.
 *
 * The keyboard reaches the map as one tab stop (a roving tabindex: the force last focused, else the
 * selected force, else the first drawn): the arrow keys move to the nearest force in their direction,
 * Enter or Space selects it (or clears it, if selected) as a click does, and the force the keyboard is
 * on shows a dashed outline and its tooltip. Each force is a toggle button: aria-pressed says which
 * one is selected.
 */
(function () {
  var SVG = 'http://www.w3.org/2000/svg';

  function forceOf(event) {
    // A small force's hit circle stands for its shape.
    var hit = event.target.closest('circle.force-hit');
    if (hit) {
      return event.currentTarget.querySelector('path.force-area[data-force="' + hit.getAttribute('data-force') + '"]');
    }
    return event.target.closest('path.force-area');
  }

  // Forces drawn smaller than this (px, either side) get a marker of twice this across (26 px, over WCAG's 24).
  var SMALLEST = 13;

  // Each force too small to hit (City of London, a few px across, inside the Metropolitan Police's area) gets a
  // marker of its own: a ring beside it, joined to it by a line, that takes the click and the hover as the shape
  // would. Beside, not on top: a ring over the shape would cover the middle of the force around it. Sized in
  // screen pixels, so redrawn as the map's scale changes.
  function markSmallForces(svg, land) {
    land.querySelectorAll('.force-hit, .force-hit-line').forEach(function (mark) { mark.remove(); });
    var ctm = svg.getScreenCTM();
    if (!ctm || !ctm.a) { return; }
    var unit = 1 / ctm.a;  // user units per screen pixel
    land.querySelectorAll('path.force-area').forEach(function (path) {
      var box = path.getBoundingClientRect();
      if (box.width >= SMALLEST && box.height >= SMALLEST) { return; }
      var bbox = path.getBBox(), cx = bbox.x + bbox.width / 2, cy = bbox.y + bbox.height / 2;
      // Up and to the right, clear of the force around it (about 30 px out).
      var mx = cx + 34 * unit, my = cy - 30 * unit;
      var line = document.createElementNS(SVG, 'line');
      line.setAttribute('class', 'force-hit-line');
      line.setAttribute('x1', cx); line.setAttribute('y1', cy); line.setAttribute('x2', mx); line.setAttribute('y2', my);
      var circle = document.createElementNS(SVG, 'circle');
      circle.setAttribute('class', 'force-hit');
      circle.setAttribute('data-force', path.getAttribute('data-force'));
      circle.setAttribute('cx', mx);
      circle.setAttribute('cy', my);
      circle.setAttribute('r', SMALLEST * unit);
      circle.style.fill = path.style.fill;
      circle.setAttribute('aria-hidden', 'true');  // the shape is the keyboard's and the screen reader's stop
      land.appendChild(line);
      land.appendChild(circle);
    });
  }

  function selectedForce(stateData) {
    var match = /[?&]force=([^&]*)/.exec((stateData && stateData.query) || '');
    return match ? decodeURIComponent(match[1].replace(/\+/g, ' ')) : null;
  }

  function tooltipFor(container) {
    var tip = container.querySelector('.map-tooltip');
    if (!tip) {
      tip = document.createElement('div');
      tip.className = 'map-tooltip';
      tip.setAttribute('role', 'presentation');
      tip.hidden = true;
      container.appendChild(tip);
    }
    return tip;
  }

  function showTip(container, path, event) {
    showTipAt(container, path, event.clientX, event.clientY);
  }

  function showTipAt(container, path, clientX, clientY) {
    var labels = container.__pphLabels || {};
    var lines = labels[path.getAttribute('data-force')];
    var tip = tooltipFor(container);
    if (!lines) { tip.hidden = true; return; }
    tip.textContent = '';
    lines.forEach(function (line, index) {
      if (!line) { return; }
      var row = document.createElement(index === 0 ? 'strong' : 'span');
      row.textContent = line;
      tip.appendChild(row);
    });
    var box = container.getBoundingClientRect();
    var x = clientX - box.left, y = clientY - box.top;
    tip.hidden = false;
    // Beside the pointer, kept inside the map's box.
    var left = Math.min(x + 14, box.width - tip.offsetWidth - 4);
    var top = y + 14 + tip.offsetHeight > box.height ? y - tip.offsetHeight - 10 : y + 14;
    tip.style.left = Math.max(left, 4) + 'px';
    tip.style.top = Math.max(top, 4) + 'px';
  }

  // The keyboard's tooltip goes beside the focused force, never over it: below it, else above, right or left, the
  // first side with room inside the map's box (where none has room, it stays as the pointer's would).
  function showTipBeside(container, path) {
    var shape = path.getBoundingClientRect(), box = container.getBoundingClientRect();
    showTipAt(container, path, shape.left + shape.width / 2, shape.top + shape.height / 2);
    var tip = tooltipFor(container);
    if (tip.hidden) { return; }
    var w = tip.offsetWidth, h = tip.offsetHeight, gap = 6;
    var l = shape.left - box.left, t = shape.top - box.top, r = shape.right - box.left, b = shape.bottom - box.top;
    var across = Math.min(Math.max((l + r - w) / 2, 4), box.width - w - 4);
    var down = Math.min(Math.max(t, 4), box.height - h - 4);
    var sides = [[across, b + gap], [across, t - h - gap], [r + gap, down], [l - w - gap, down]];
    for (var i = 0; i < sides.length; i++) {
      var x = sides[i][0], y = sides[i][1];
      if (x >= 0 && y >= 0 && x + w <= box.width && y + h <= box.height) {
        tip.style.left = x + 'px';
        tip.style.top = y + 'px';
        return;
      }
    }
  }

  // Each arrow key's direction on the screen (y grows downwards).
  var STEPS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

  function centre(path) {
    var box = path.getBBox();
    return [box.x + box.width / 2, box.y + box.height / 2];
  }

  // The nearest force (centre to centre) within 60 degrees either side of the arrow's direction, a
  // sideways step counting a little extra: a press goes to the neighbour the eye expects.
  function nearestInDirection(land, from, step) {
    var here = centre(from), best = null, bestCost = Infinity;
    land.querySelectorAll('path.force-area').forEach(function (path) {
      if (path === from) { return; }
      var there = centre(path), dx = there[0] - here[0], dy = there[1] - here[1];
      var along = dx * step[0] + dy * step[1], aside = Math.abs(dx * step[1] - dy * step[0]);
      if (along <= 0 || aside > along * Math.sqrt(3)) { return; }
      var cost = Math.hypot(dx, dy) + aside / 2;
      if (cost < bestCost) { bestCost = cost; best = path; }
    });
    return best;
  }

  function moveFocus(land, path) {
    land.querySelectorAll('path.force-area[tabindex="0"]').forEach(function (other) {
      other.setAttribute('tabindex', '-1');
    });
    path.setAttribute('tabindex', '0');
    path.focus();
  }

  function build(container, shapes) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', shapes.viewBox);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    // A group, not an image: its forces are controls of their own.
    svg.setAttribute('role', 'group');
    svg.setAttribute('aria-label', container.getAttribute('data-label') || 'Map of police force areas');
    var land = document.createElementNS(SVG, 'g');
    land.setAttribute('class', 'map-forces');
    // Chromium makes an SVG element with focus listeners a tab stop of its own; the forces are the stops.
    land.setAttribute('tabindex', '-1');
    Object.keys(shapes.paths).forEach(function (id) {
      var path = document.createElementNS(SVG, 'path');
      path.setAttribute('d', shapes.paths[id]);
      path.setAttribute('data-force', id);
      land.appendChild(path);
    });
    var outline = document.createElementNS(SVG, 'path');
    outline.setAttribute('class', 'map-selected');
    var focusRing = document.createElementNS(SVG, 'path');
    focusRing.setAttribute('class', 'map-focus');
    svg.appendChild(land);
    var resizing = null;
    window.addEventListener('resize', function () {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(function () { markSmallForces(svg, land); }, 150);
    });
    svg.appendChild(outline);
    svg.appendChild(focusRing);
    container.appendChild(svg);

    var clicks = 0;
    function select(path) {
      clicks += 1;
      window.dash_clientside.set_props('force-map-click',
        { data: { force: path.getAttribute('data-force'), click: clicks } });
    }
    land.addEventListener('click', function (event) {
      var path = forceOf(event);
      if (path) { select(path); }
    });
    land.addEventListener('keydown', function (event) {
      var path = forceOf(event);
      // Keys with a modifier are the browser's (Alt+Left is Back), not the map's.
      if (!path || event.altKey || event.ctrlKey || event.metaKey) { return; }
      // Escape hides the focused force's tooltip, which may cover its neighbours (WCAG 1.4.13); the next move
      // of the focus shows the next force's.
      if (event.key === 'Escape') {
        tooltipFor(container).hidden = true;
        return;
      }
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select(path);
        return;
      }
      var next = STEPS[event.key] && nearestInDirection(land, path, STEPS[event.key]);
      if (STEPS[event.key]) { event.preventDefault(); }  // the arrows move on the map, not the page
      if (next) { moveFocus(land, next); }
    });
    land.addEventListener('focusin', function (event) {
      var path = forceOf(event);
      // The ring and tooltip are for the keyboard: a click's focus shows the selection outline only.
      if (!path || !path.matches(':focus-visible')) { return; }
      focusRing.setAttribute('d', path.getAttribute('d'));
      showTipBeside(container, path);
      // The force and its name in view together: a force at the window's foot had its name below the fold.
      var tip = tooltipFor(container);
      if (!tip.hidden) {
        var shape = path.getBoundingClientRect(), named = tip.getBoundingClientRect();
        var below = Math.max(shape.bottom, named.bottom) - window.innerHeight;
        var above = Math.min(shape.top, named.top);
        if (below > 0 && above - below >= 0) { window.scrollBy(0, below + 8); } else if (above < 0) { window.scrollBy(0, above - 8); }
      }
    });
    land.addEventListener('focusout', function () {
      focusRing.setAttribute('d', '');
      tooltipFor(container).hidden = true;
    });
    land.addEventListener('mousemove', function (event) {
      var path = forceOf(event);
      if (path) { showTip(container, path, event); } else { tooltipFor(container).hidden = true; }
    });
    land.addEventListener('mouseleave', function () { tooltipFor(container).hidden = true; });
    return svg;
  }

  function draw(shapes, colours, stateData) {
    var container = document.getElementById('force-map');
    if (!container || !shapes) { return window.dash_clientside.no_update; }
    var svg = container.querySelector('svg') || build(container, shapes);
    var fills = (colours && colours.fills) || {};
    var counts = (colours && colours.counts) || {};
    container.__pphLabels = (colours && colours.labels) || {};
    var selected = selectedForce(stateData);
    var outline = svg.querySelector('.map-selected');
    outline.setAttribute('d', '');
    var focused = document.activeElement;
    var onFocus = null, onSelected = null, first = null;
    svg.querySelectorAll('.map-forces path').forEach(function (path) {
      var id = path.getAttribute('data-force');
      var shown = Object.prototype.hasOwnProperty.call(fills, id);
      // A force not shown as a force (Wales while it is hidden) stays as land, for the coastline's sake.
      path.setAttribute('class', shown ? 'force-area' : 'map-land');
      path.style.fill = shown ? fills[id] : '';
      // What the colour says, readable by tests and scripts: the number of matching initiatives.
      if (shown) { path.setAttribute('data-count', String(counts[id])); } else { path.removeAttribute('data-count'); }
      if (shown) {
        var lines = (container.__pphLabels[id] || [id]).filter(function (line) { return line; });
        path.setAttribute('role', 'button');
        path.setAttribute('aria-label', lines.join('. '));
        path.setAttribute('aria-pressed', String(id === selected));
        path.setAttribute('tabindex', '-1');
        first = first || path;
        if (path === focused) { onFocus = path; }
        if (id === selected) { onSelected = path; }
      } else {
        ['role', 'aria-label', 'aria-pressed', 'tabindex'].forEach(function (name) { path.removeAttribute(name); });
      }
      if (shown && id === selected) { outline.setAttribute('d', path.getAttribute('d')); }
    });
    markSmallForces(svg, svg.querySelector('.map-forces'));
    // One tab stop: the force with the focus, else the selected force, else the stated start (the map's hint
    // names it), else the first drawn.
    var start = container.getAttribute('data-start-force');
    var onStart = start && svg.querySelector('.map-forces path.force-area[data-force="' + start + '"]');
    var stop = onFocus || onSelected || onStart || first;
    if (stop) { stop.setAttribute('tabindex', '0'); }
    // The force the keyboard was on became land (Wales hidden, from the history): the focus stays on the map.
    if (stop && focused && focused.classList && focused.classList.contains('map-land') && svg.contains(focused)) {
      stop.focus();
    }
    container.setAttribute('data-drawn', String(Object.keys(fills).length));
    return Object.keys(fills).length;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.forceMap = { draw: draw, selectedForce: selectedForce };
})();

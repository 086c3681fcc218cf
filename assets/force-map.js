/*
 * The force map, drawn as SVG from what the server sends (domain/force_map.py): the shapes once, the
 * colours on each filter, the outline of the selected force from the view state. No plotly.js: the
 * page paints and answers clicks without evaluating a 1.4 MB bundle first.
 *
 * A click sets the `force-map-click` store (dash_clientside.set_props), which the view state's
 * callback reads. Tooltips are set as text, never as markup: names may come from the register.
 */
(function () {
  var SVG = 'http://www.w3.org/2000/svg';

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
    var x = event.clientX - box.left, y = event.clientY - box.top;
    tip.hidden = false;
    // Beside the pointer, kept inside the map's box.
    var left = Math.min(x + 14, box.width - tip.offsetWidth - 4);
    var top = y + 14 + tip.offsetHeight > box.height ? y - tip.offsetHeight - 10 : y + 14;
    tip.style.left = Math.max(left, 4) + 'px';
    tip.style.top = Math.max(top, 4) + 'px';
  }

  function build(container, shapes) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', shapes.viewBox);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', container.getAttribute('data-label') || 'Map of police force areas');
    var land = document.createElementNS(SVG, 'g');
    land.setAttribute('class', 'map-forces');
    Object.keys(shapes.paths).forEach(function (id) {
      var path = document.createElementNS(SVG, 'path');
      path.setAttribute('d', shapes.paths[id]);
      path.setAttribute('data-force', id);
      land.appendChild(path);
    });
    var outline = document.createElementNS(SVG, 'path');
    outline.setAttribute('class', 'map-selected');
    svg.appendChild(land);
    svg.appendChild(outline);
    container.appendChild(svg);

    var clicks = 0;
    land.addEventListener('click', function (event) {
      var path = event.target.closest('path.force-area');
      if (!path) { return; }
      clicks += 1;
      window.dash_clientside.set_props('force-map-click',
        { data: { force: path.getAttribute('data-force'), click: clicks } });
    });
    land.addEventListener('mousemove', function (event) {
      var path = event.target.closest('path.force-area');
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
    svg.querySelectorAll('.map-forces path').forEach(function (path) {
      var id = path.getAttribute('data-force');
      var shown = Object.prototype.hasOwnProperty.call(fills, id);
      // A force not shown as a force (Wales while it is hidden) stays as land, for the coastline's sake.
      path.setAttribute('class', shown ? 'force-area' : 'map-land');
      path.style.fill = shown ? fills[id] : '';
      // What the colour says, readable by tests and scripts: the number of matching initiatives.
      if (shown) { path.setAttribute('data-count', String(counts[id])); } else { path.removeAttribute('data-count'); }
      if (shown && id === selected) { outline.setAttribute('d', path.getAttribute('d')); }
    });
    container.setAttribute('data-drawn', String(Object.keys(fills).length));
    return Object.keys(fills).length;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.forceMap = { draw: draw, selectedForce: selectedForce };
})();

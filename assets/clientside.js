/*
 * Clientside callbacks (named functions, allowed by the page's Content-Security-Policy, unlike
 * inline code). They do what only the browser can: write to the clipboard, save chart images.
 */
// The page is built for the address it is opened at (components/page_cache.py), named by a cookie
// (assets/view-cookie.js) or the Referer header. Where neither arrives, a link to a force opens on England's profile,
// which the force's then replaces: kept out of sight until then (the stylesheet hides only a profile
// of England), so nothing visibly jumps. If the answer never comes, it shows after a few seconds.
if (/[?&]force=/.test(window.location.search)) {
  document.documentElement.classList.add('profile-pending');
  var pendingDone = function () { document.documentElement.classList.remove('profile-pending'); };
  window.setTimeout(pendingDone, 5000);
  // A page built for this address holds the force's profile from the start: nothing to wait for.
  var built = new MutationObserver(function () {
    var profile = document.getElementById('results');
    if (!profile) { return; }
    built.disconnect();
    if (profile.getAttribute('data-force')) { pendingDone(); }
  });
  built.observe(document.documentElement, { childList: true, subtree: true });
}

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  pph: {
    copyCitation: function (nClicks, text) {
      if (!nClicks || !text) { return window.dash_clientside.no_update; }
      function fallback() {
        // Intranet pages served over plain http have no navigator.clipboard.
        var area = document.createElement('textarea');
        area.value = text;
        area.setAttribute('readonly', '');
        area.style.position = 'fixed';
        area.style.opacity = '0';
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        document.body.removeChild(area);
        return ok;
      }
      if (navigator.clipboard && window.isSecureContext) {
        return navigator.clipboard.writeText(text).then(
          function () { return 'Copied the link and citation.'; },
          function () { return fallback() ? 'Copied the link and citation.' : 'Could not copy: select the text and copy it.'; }
        );
      }
      return fallback() ? 'Copied the link and citation.' : 'Could not copy: select the text and copy it.';
    },
    headingForClick: function (click, stateData) {
      // The clicked force's name in the profile heading at once; the server fills in the rest.
      var noUpdate = window.dash_clientside.no_update;
      if (!click || !click.force) { return noUpdate; }
      var current = window.dash_clientside.forceMap.selectedForce(stateData);
      var map = document.getElementById('force-map');
      var lines = map && map.__pphLabels && map.__pphLabels[click.force];
      var heading = document.getElementById('view-title');
      if (heading) {
        var box = heading.getBoundingClientRect();
        // A little room above the heading, so its focus ring is not cut off at the window's edge.
        if (box.top < 0 || box.bottom > window.innerHeight) { window.scrollTo(0, window.scrollY + box.top - 12); }
        // On a narrow screen the profile is below the map: keyboard and screen-reader users follow the focus.
        if (window.matchMedia('(max-width: 1023px)').matches) { heading.focus({ preventScroll: true }); }
      }
      if (current === click.force) { return 'England'; }
      return (lines && lines[0]) || noUpdate;
    },
    stateWhileShown: function (stateData, hidden) {
      // A tab's panel sees the view state only while it is shown (components/view_state.py).
      return hidden === false ? stateData : window.dash_clientside.no_update;
    },
    profileShown: function () {
      document.documentElement.classList.remove('profile-pending');
      return window.dash_clientside.no_update;
    },
    saveCharts: function (images) {
      // plotly.js draws the images; no chart on the page needs it, so it is loaded on the first save.
      var figures = (images && images.figures) || [];
      if (!figures.length) { return 'No charts to save'; }
      return window.dash_clientside.pphPlotly.load().then(function (Plotly) {
        return Promise.all(figures.map(function (figure, index) {
          return Plotly.downloadImage({ data: figure.data, layout: figure.layout }, {
            format: 'png', filename: 'police-public-health-chart-' + (index + 1),
            width: 800, height: (figure.layout && figure.layout.height) || 400,
          });
        }));
      }).then(function () { return 'Saved ' + figures.length + ' chart image(s)'; },
              function () { return 'Could not save the charts as images'; });
    },
  },
});

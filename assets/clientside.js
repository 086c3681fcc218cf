/*
 * Clientside callbacks (named functions, allowed by the page's Content-Security-Policy, unlike
 * inline code). They do what only the browser can: write to the clipboard, save chart images.
 */
// A link to a force opens on the England profile that the layout holds, which the force's profile
// then replaces: kept out of sight until then, so nothing visibly jumps (no layout shift). If the
// answer never comes, the profile shows anyway after a few seconds.
if (/[?&]force=/.test(window.location.search)) {
  document.documentElement.classList.add('profile-pending');
  window.setTimeout(function () { document.documentElement.classList.remove('profile-pending'); }, 5000);
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
    headingForClick: function (clickData, stateData) {
      // The clicked force's name in the profile heading at once; the server fills in the rest.
      var noUpdate = window.dash_clientside.no_update;
      var point = clickData && clickData.points && clickData.points[0];
      if (!point || !point.location) { return noUpdate; }
      var match = /[?&]force=([^&]*)/.exec((stateData && stateData.query) || '');
      var current = match ? decodeURIComponent(match[1].replace(/\+/g, ' ')) : null;
      var name = point.customdata && point.customdata[0];
      var heading = document.getElementById('view-title');
      if (heading) {
        var box = heading.getBoundingClientRect();
        // A little room above the heading, so its focus ring is not cut off at the window's edge.
        if (box.top < 0 || box.bottom > window.innerHeight) { window.scrollTo(0, window.scrollY + box.top - 12); }
        // On a narrow screen the profile is below the map: keyboard and screen-reader users follow the focus.
        if (window.matchMedia('(max-width: 1023px)').matches) { heading.focus({ preventScroll: true }); }
      }
      if (current === point.location) { return 'England'; }
      return name || noUpdate;
    },
    profileShown: function () {
      document.documentElement.classList.remove('profile-pending');
      return window.dash_clientside.no_update;
    },
    saveCharts: function (nClicks) {
      if (!nClicks || !window.Plotly) { return window.dash_clientside.no_update; }
      var charts = document.querySelectorAll('#outcome-charts .js-plotly-plot');
      charts.forEach(function (chart, index) {
        window.Plotly.downloadImage(chart, { format: 'png', filename: 'police-public-health-chart-' + (index + 1) });
      });
      return charts.length ? 'Saved ' + charts.length + ' chart image(s)' : 'No charts to save';
    },
  },
});

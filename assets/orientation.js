/*
 * The header's orientation (components/orientation.py), followed in the browser: no request is sent.
 * pageTitle: the browser tab names the view ("Leicestershire Police — police and public health").
 * recentForSource: "Recently added or corrected" shows what the Source filter asks for.
 */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  pphOrientation: {
    pageTitle: function (stateData, names) {
      if (!names) { return window.dash_clientside.no_update; }
      var query = (stateData && typeof stateData.query === 'string') ? stateData.query : '';
      var params = new URLSearchParams(query);
      var parts = [];
      var force = params.get('force');
      if (force && names.forces && names.forces[force]) { parts.push(names.forces[force]); }
      var view = params.get('view');
      if (view && names.views && names.views[view]) { parts.push(names.views[view]); }
      var area = params.get('wales') === '1' ? 'England and Wales' : 'England';  // orientation.py says the same
      var title = (parts.length ? parts.join(', ') : area) + (names.suffix || '');
      document.title = title;
      return title;
    },
    copyText: function (nClicks, text, buttonId) {
      // "Copy link" and "Copy citation" (components/cite_view.py): each copies its own text and says so, and
      // clears the other's word (the second output), as the clipboard now holds this one's text only.
      var noUpdate = window.dash_clientside.no_update;
      if (!nClicks || !text) { return [noUpdate, noUpdate]; }
      var what = buttonId === 'citation-copy' ? 'citation' : 'link';
      var done = 'Copied the ' + what + '.';
      var failed = 'Could not copy: select the ' + what + ' and copy it.';
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
      function said(ok) { return ok ? [done, ''] : [failed, noUpdate]; }
      if (navigator.clipboard && window.isSecureContext) {
        return navigator.clipboard.writeText(text).then(
          function () { return said(true); },
          function () { return said(fallback()); }
        );
      }
      return said(fallback());
    },
    recentForSource: function (filtersData) {
      var query = (filtersData && typeof filtersData.query === 'string') ? filtersData.query : '';
      var source = new URLSearchParams(query).get('source');
      if (source === 'paper' || source === 'register') { return 'recent-list recent-only-' + source; }
      return 'recent-list';
    }
  }
});

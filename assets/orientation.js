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
      var title = (parts.length ? parts.join(', ') : 'England') + (names.suffix || '');
      document.title = title;
      return title;
    },
    recentForSource: function (filtersData) {
      var query = (filtersData && typeof filtersData.query === 'string') ? filtersData.query : '';
      var source = new URLSearchParams(query).get('source');
      if (source === 'paper' || source === 'register') { return 'recent-list recent-only-' + source; }
      return 'recent-list';
    }
  }
});

/*
 * plotly.js on demand. No chart is in the page's first view (the map is SVG, assets/force-map.js),
 * so no page load evaluates plotly.js. dcc.Graph loads it the first time a chart is drawn, from
 * window._dashPlotlyJSURL, which Dash points at the full 4.6 MB bundle: it is pinned here to the
 * app's own bundle of the traces it draws, named in the page's `pph-plotly-bundle` meta tag.
 */
(function () {
  var meta = document.querySelector('meta[name="pph-plotly-bundle"]');
  if (!meta) { return; }
  var bundle = meta.getAttribute('content');
  Object.defineProperty(window, '_dashPlotlyJSURL', {
    configurable: true,
    get: function () { return bundle; },
    set: function () { /* Dash's renderer sets its own default at start-up: ours stands. */ },
  });

  // For code of ours that needs plotly.js without a chart on the page (saving charts as images).
  var loading = null;
  function load() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement('script');
        script.src = bundle;
        script.async = true;
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = function () { loading = null; reject(new Error('plotly.js did not load')); };
        document.body.appendChild(script);
      });
    }
    return loading;
  }
  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.pphPlotly = { load: load };
})();

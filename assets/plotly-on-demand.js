/*
 * plotly.js on demand, for saving charts as images only. No chart on the page is drawn with plotly.js:
 * the map is SVG (assets/force-map.js), the profile's and the overview's charts are HTML lists
 * (components/charts.py), and no dcc.Graph is in the app (tests/unit/test_dash_couplings.py keeps it so).
 * "Save these charts as images" loads the app's own bundle of the traces it draws, named in the page's
 * `pph-plotly-bundle` meta tag, with a plain script tag, and uses plotly.js's documented global `Plotly`.
 */
(function () {
  var meta = document.querySelector('meta[name="pph-plotly-bundle"]');
  if (!meta) { return; }
  var bundle = meta.getAttribute('content');
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

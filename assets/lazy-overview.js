/*
 * The outcomes overview sits below the map and the profile. Its charts are drawn only once their
 * place on the page comes near view: drawing them at load held the main thread ~350 ms before the
 * page could answer a click. This tells the server when that happens, by setting the store
 * `outcomes-overview-seen` (components/overview_view.py), once per page.
 */
(function () {
  var CHARTS = 'outcomes-overview';
  var SEEN = 'outcomes-overview-seen';
  var started = false;

  function tellServer() {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(SEEN, {data: true});
    }
  }

  function watch(charts) {
    started = true;
    if (!('IntersectionObserver' in window)) { tellServer(); return; }
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        tellServer();
      }
    });
    observer.observe(charts);
  }

  // The renderer builds the page after this script runs: wait for the charts' place to exist.
  var pageWatcher = new MutationObserver(function () {
    var charts = document.getElementById(CHARTS);
    if (!started && charts) {
      pageWatcher.disconnect();
      watch(charts);
    }
  });
  pageWatcher.observe(document.documentElement, {childList: true, subtree: true});
})();

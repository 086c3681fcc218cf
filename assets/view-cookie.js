/*
 * The page is built on the server for the view its address asks for (components/page_cache.py). Dash's
 * renderer fetches the page's layout without saying which address it is for, so this script, which runs
 * before the renderer starts, writes the address's query into a cookie that only the layout request
 * carries (scoped to its path, named in the page's `pph-layout-path` meta tag) and that expires in
 * seconds. An empty value says "no query": the page is England's.
 */
(function () {
  var meta = document.querySelector('meta[name="pph-layout-path"]');
  if (!meta) { return; }
  var query = window.location.search;
  // A cookie holds about 4 KB; a longer address would not be kept, and such an address holds a search,
  // which opens on the default view anyway.
  var value = query.length > 2000 ? '' : encodeURIComponent(query);
  document.cookie = 'pph_view=' + value + '; path=' + meta.getAttribute('content') + '; max-age=30; samesite=strict' +
    (window.location.protocol === 'https:' ? '; secure' : '');
})();

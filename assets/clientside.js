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

// A force's name as the map labels it ('' before the map is drawn).
function pphForceName(force) {
  var map = document.getElementById('force-map');
  var lines = map && map.__pphLabels && map.__pphLabels[force];
  return (lines && lines[0]) || '';
}

// The profile's heading in view after a force is chosen. Beside the map (a wide screen) the heading only has to be
// in view. Below it (a tablet or a phone) the profile's content must be too: the heading goes to the top, not left
// peeking at the bottom edge, and takes the focus, which keyboard and screen-reader users follow. Not on landing in
// the embed (`landing`): a widget that takes the focus as its frame loads takes it from the intranet page around it.
function pphBringProfileIntoView(landing) {
  var heading = document.getElementById('view-title');
  if (!heading) { return; }
  var box = heading.getBoundingClientRect();
  var narrow = window.matchMedia('(max-width: 1023px)').matches;
  var outOfView = box.top < 0 || box.bottom > window.innerHeight;
  var tooLow = narrow && box.top > window.innerHeight * 0.35;
  // A little room above the heading, so its focus ring is not cut off at the window's edge.
  if (outOfView || tooLow) { window.scrollTo(0, window.scrollY + box.top - 12); }
  if (narrow && !(landing && document.querySelector('.app.embed'))) { heading.focus({ preventScroll: true }); }
}

// A link opens where it points. One to a view (?view=compare) opens at the tabs, that view's panel under them: at
// 1280 x 720 the tabs start at the window's foot. One to a force (?force=…) opens at its profile where that is below
// the map (a tablet or a phone), as a click on the map would take it. Unless the reader got there first: scrolled,
// touched or pressed a key, or came back to a page whose place the browser keeps. In the embed, which has no tabs,
// only where its profile is under the map (a frame narrower than 420 px, assets/style.css): the frame's own page
// scrolls, never the intranet page around it.
function pphViewShown(view) {
  var panel = document.getElementById('view-' + view);
  // A lazy tab's panel fills in once shown (components/shell.py): the page below the tabs has its height then.
  return panel && !panel.hidden && panel.childElementCount > 0 ? panel : null;
}

function pphBringTabsIntoView(panel) {
  var tabs = document.getElementById('view-tabs');
  if (!tabs) { return; }
  var top = tabs.getBoundingClientRect().top;
  if (top < 0 || panel.getBoundingClientRect().top > window.innerHeight * 0.5) {
    window.scrollTo(0, window.scrollY + top - 8);
  }
  var open = tabs.querySelector('[role="tab"][aria-selected="true"]');
  if (open && document.activeElement !== open) { open.focus({ preventScroll: true }); }
}

(function landWhereTheLinkPoints() {
  var query = new URLSearchParams(window.location.search);
  var view = query.get('view');
  var force = query.get('force');
  var visit = window.performance.getEntriesByType && window.performance.getEntriesByType('navigation')[0];
  var narrow = window.matchMedia('(max-width: 1023px)').matches;
  var embedStacked = window.matchMedia('(max-width: 420px)').matches;
  // A link to a force the page knows only once drawn: one with no area on the map (British Transport Police)
  // opens the tab that lists its work rather than a profile (domain/state.py), and lands at that tab at any width.
  var forceOffMap = force && !view;
  if (!(view || force) || (visit && visit.type === 'back_forward')) { return; }
  var moved = false;
  function stop() { moved = true; }
  ['wheel', 'touchstart', 'pointerdown', 'keydown'].forEach(function (name) {
    window.addEventListener(name, stop, { once: true, capture: true });
  });
  // The force's profile is drawn once the page stops holding it back (above), and its heading names a force:
  // a force the data does not know leaves England's profile, and a notice at the top that says so.
  function profileDrawn() {
    var heading = document.getElementById('view-title');
    var title = heading ? heading.textContent : '';
    return title !== '' && title !== 'England' && title !== 'England and Wales' &&
      !document.documentElement.classList.contains('profile-pending');
  }
  var started = Date.now();
  var landedAt = null;
  var leftAt = null;
  var focused = null;
  (function land() {
    if (moved || (document.querySelector('.app.embed') && (view || !embedStacked))) { return; }
    if (forceOffMap) {
      var openTab = document.querySelector('#view-tabs [role="tab"][aria-selected="true"]');
      if (!openTab) { window.requestAnimationFrame(land); return; }  // not drawn yet
      forceOffMap = false;
      if (openTab.id !== 'view-tab-' + document.getElementById('view-tabs').dataset.defaultView) {
        view = openTab.id.replace(/^view-tab-/, '');
      } else if (!narrow) {
        return;  // a force on the map: beside it on a wide screen, its profile is in view already
      }
    }
    // The focus moved on since landing (a script's, a screen reader's): the reader's, and so the page.
    if (focused !== null && document.activeElement !== focused) { return; }
    var panel = view ? pphViewShown(view) : null;
    var drawn = view ? panel !== null : profileDrawn();
    if (drawn && landedAt === null) {
      if (window.scrollY > 0) { return; }  // a place the browser restored, or the reader's own
      landedAt = Date.now();
    }
    // Kept there while the page above settles (the map's drawing), then left to the reader. A scroll that is not
    // this one's (the reader's, a link's, the browser keeping the place in view) ends it at once.
    if (drawn) {
      if (leftAt !== null && window.scrollY !== leftAt) { return; }
      if (view) { pphBringTabsIntoView(panel); } else { pphBringProfileIntoView(true); }
      leftAt = window.scrollY;
      focused = document.activeElement;
    }
    var now = Date.now();
    if (landedAt === null ? now - started < 8000 : now - landedAt < 1500) { window.requestAnimationFrame(land); }
  })();
})();

// A tab opened (a click, or Enter on the keyboard) whose panel starts below the middle of the window: the tabs come
// to the top with the panel under them, so opening a tab visibly shows it. The focus stays on the tab.
document.addEventListener('click', function (event) {
  var tab = event.target.closest && event.target.closest('#view-tabs [role="tab"]');
  if (!tab) { return; }
  var view = (tab.getAttribute('aria-controls') || '').replace(/^view-/, '');
  var started = Date.now();
  var shownAt = null;
  var moved = false;
  function stop() { moved = true; }
  ['wheel', 'touchstart', 'pointerdown', 'keydown'].forEach(function (name) {
    window.addEventListener(name, stop, { once: true });
  });
  // Kept up for a moment once shown: a panel's content may fill in after it (the background figures' table), and
  // until then the page may be too short to bring the panel as far up as it goes once filled.
  var height = -1;
  (function reveal() {
    if (moved) { return; }
    var panel = pphViewShown(view);
    if (panel) {
      // Until its height has held for a moment (or for 6 s at most).
      if (panel.offsetHeight !== height) { height = panel.offsetHeight; shownAt = Date.now(); }
      pphBringTabsIntoView(panel);
      if (Date.now() - shownAt < 1000 && Date.now() - started < 6000) { window.requestAnimationFrame(reveal); }
      return;
    }
    if (Date.now() - started < 5000) { window.requestAnimationFrame(reveal); }
  })();
});

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  pph: {
    headingForClick: function (click, stateData) {
      // The clicked force's name in the profile heading at once; the server fills in the rest.
      var noUpdate = window.dash_clientside.no_update;
      if (!click || !click.force) { return noUpdate; }
      var current = window.dash_clientside.forceMap.selectedForce(stateData);
      pphBringProfileIntoView();
      if (current === click.force) {
        // domain/state.py, area_name: the map's area, with Wales once its forces are shown.
        var query = (stateData && typeof stateData.query === 'string') ? stateData.query : '';
        return new URLSearchParams(query).get('wales') === '1' ? 'England and Wales' : 'England';
      }
      return pphForceName(click.force) || noUpdate;
    },
    profileForChoice: function (force) {
      // A force the reader chose in the Force list (components/shell.py, force_chosen) does what a click on the
      // map does: on a tablet or a phone its profile, a screen or more below the list, is brought into view.
      // One with no area on the map (British Transport Police) has its work listed in the National and regional
      // tab, which the state has opened: its group there is brought into view instead.
      if (force && force.work) {
        pphRevealInTab(force.view, force.work);
        return window.dash_clientside.no_update;
      }
      if (!force) { return window.dash_clientside.no_update; }
      pphBringProfileIntoView();
      return pphForceName(force) || window.dash_clientside.no_update;
    },
    stateWhileShown: function (stateData, hidden) {
      // A tab's panel sees the view state only while it is shown (components/view_state.py).
      return hidden === false ? stateData : window.dash_clientside.no_update;
    },
    profileShown: function () {
      document.documentElement.classList.remove('profile-pending');
      return window.dash_clientside.no_update;
    },
    addToCompareStatus: function (clicks, stateData) {
      // What "Add selected force to comparison" could not do, said beside it; the view state's callback does
      // the adding when it can.
      if (!clicks) { return window.dash_clientside.no_update; }
      var force = window.dash_clientside.forceMap.selectedForce(stateData);
      var button = document.getElementById('add-to-compare');
      if (!force) { return button.dataset.none; }
      var match = /[?&]compare=([^&]*)/.exec((stateData && stateData.query) || '');
      var compared = match ? decodeURIComponent(match[1]).split(',') : [];
      if (compared.indexOf(force) >= 0) { return 'The selected force is already in the comparison.'; }
      if (compared.length >= Number(button.dataset.limit)) { return button.dataset.full; }
      return '';
    },
    saveCharts: function (images) {
      // plotly.js draws the images; no chart on the page needs it, so it is loaded on the first save.
      var figures = (images && images.figures) || [];
      if (!figures.length) { return 'No charts to save'; }
      return window.dash_clientside.pphPlotly.load().then(function (Plotly) {
        return Promise.all(figures.map(function (figure, index) {
          return Plotly.downloadImage({ data: figure.data, layout: figure.layout }, {
            format: 'png', filename: ((images && images.name) || 'police-public-health-chart') + '-' + (index + 1),
            width: 800, height: (figure.layout && figure.layout.height) || 400,
          });
        }));
      }).then(function () {
        var n = figures.length;
        return 'Saved ' + n + ' chart image' + (n === 1 ? '' : 's') + " (PNG) to your browser's downloads.";
      }, function () { return 'Could not save the charts as images.'; });
    },
  },
});

// A tab opened from inside the page, then brought into view and given the focus once drawn, so something visibly
// happens and the keyboard is where the reader's eyes are. `itemId`: one item of the tab ("work-<id>", a group's
// heading), which comes to the top and takes the focus instead; if the tab, once drawn, does not hold it (the
// filters leave it out, and the tab says so), the tab itself does.
function pphRevealInTab(view, itemId) {
  var started = Date.now();
  var userMoved = false;
  function stop() { userMoved = true; }
  ['wheel', 'touchstart', 'pointerdown', 'keydown'].forEach(function (name) {
    window.addEventListener(name, stop, { once: true });
  });
  var shownAt = null;
  var drawnAt = null;
  (function reveal() {
    var panel = document.getElementById('view-' + view);
    var item = itemId ? document.getElementById(itemId) : null;
    var drawn = panel && !panel.hidden && panel.childElementCount > 0;
    if (drawn && drawnAt === null) { drawnAt = Date.now(); }
    if (itemId && !(item && panel.contains(item)) && drawn && Date.now() - drawnAt > 2000) { itemId = ''; item = null; }
    // Shown, but still filling in (a lazy tab's panel comes from the server): the focus, lost by the link as its own
    // view was hidden, waits on the panel, marked busy, not at the page's start (trial 22).
    if (panel && !panel.hidden && !drawn && shownAt === null && !userMoved) {
      var at = document.activeElement;
      if (!at || at === document.body || at.offsetParent === null) {
        if (!panel.hasAttribute('tabindex')) { panel.setAttribute('tabindex', '-1'); }
        panel.setAttribute('aria-busy', 'true');
        panel.focus({ preventScroll: true });
      }
    }
    if (drawn && panel.getAttribute('aria-busy')) { panel.removeAttribute('aria-busy'); }
    // A lazy tab's panel fills in after it is shown (components/shell.py), and the page grows under it: it is
    // kept at the top for a moment while that happens, unless the reader scrolls first.
    if (drawn && (!itemId || (item && panel.contains(item)))) {
      var shown = item || panel;
      if (shownAt === null) {
        shownAt = Date.now();
        if (!shown.hasAttribute('tabindex')) { shown.setAttribute('tabindex', '-1'); }
        shown.focus({ preventScroll: true });
      }
      // The tabs come to the top with the panel under them: which tab is open is seen too.
      var top = item || document.getElementById('view-tabs') || panel;
      if (!userMoved && Math.abs(top.getBoundingClientRect().top) > 2) { top.scrollIntoView({ block: 'start' }); }
      if (Date.now() - shownAt < 1500 && !userMoved) { window.requestAnimationFrame(reveal); }
      return;
    }
    if (Date.now() - started < 10000) { window.requestAnimationFrame(reveal); }
  })();
}

// An in-page link that opens another view ("See national and regional work", "see the background figures"), to the
// item its address's fragment names, if any (the profile's regional and national work).
document.addEventListener('click', function (event) {
  var link = event.target.closest && event.target.closest('a.opens-view');
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
  var to = new URL(link.href, window.location.href);
  var view = to.searchParams.get('view');
  if (view) { pphRevealInTab(view, decodeURIComponent(to.hash.slice(1))); }
});

// A "Show …" button (components/panels.py, on_demand) whose section opens in the lower part of the window (the coverage
// matrix at 1280 x 720): once the section is drawn, the button comes to the top with it under it, so opening it shows
// it. The focus stays on the button; the reader's own scroll, touch or key ends it.
document.addEventListener('click', function (event) {
  var toggle = event.target.closest && event.target.closest('button.button[aria-controls][aria-expanded="false"]');
  var body = toggle && document.getElementById(toggle.getAttribute('aria-controls'));
  if (!body) { return; }
  var started = Date.now();
  var moved = false;
  function stop() { moved = true; }
  ['wheel', 'touchstart', 'pointerdown', 'keydown'].forEach(function (name) {
    window.addEventListener(name, stop, { once: true });
  });
  (function reveal() {
    if (moved) { return; }
    if (toggle.getAttribute('aria-expanded') === 'true' && !body.hidden) {
      var top = toggle.getBoundingClientRect().top;
      if (body.getBoundingClientRect().top > window.innerHeight * 0.4) { window.scrollTo(0, window.scrollY + top - 8); }
      return;
    }
    if (Date.now() - started < 10000) { window.requestAnimationFrame(reveal); }
  })();
});

// A term where it appears (components/panels.py `term`: a figure's kind, an evaluation level, "no reference mark")
// links to the glossary in "How to read this": the disclosure opens, comes into view with the term's line, and
// takes the focus, so the keyboard is where the reader's eyes are.
// The embedded widget has no glossary: there a term opens the full dashboard's, in a new tab, at the term's line
// (a link to the hidden one would change the address and show nothing). The link says so before it is followed:
// on pointer, focus and click alike.
var GLOSSARY_AT = '#how-to-read:';
function termToFullGlossary(event) {
  var link = event.target.closest && event.target.closest('a.term');
  var full = document.getElementById('open-full-dashboard');
  if (!link || !full || !document.querySelector('.app.embed')) { return; }
  link.href = full.href.split('#')[0] + GLOSSARY_AT + encodeURIComponent(link.dataset.term || '');
  if (link.target !== '_blank') {
    link.target = '_blank';
    link.rel = 'noopener';
    link.title = link.title + ' (opens the full dashboard\'s glossary in a new tab)';
  }
}
['pointerover', 'focusin', 'click'].forEach(function (type) { document.addEventListener(type, termToFullGlossary, true); });

function openGlossaryAt(help, wanted) {
  help.open = true;
  var entry = Array.prototype.find.call(help.querySelectorAll('dt'), function (dt) {
    var name = dt.textContent.toLowerCase();
    return wanted && (wanted.indexOf(name) === 0 || name.indexOf(wanted) === 0 ||
                      (name === 'evaluation' && help.querySelector('dd li') && dt.nextElementSibling.textContent.toLowerCase().indexOf(wanted) >= 0) ||
                      (name === 'reference marks' && wanted === 'no reference mark'));
  }) || help;
  if (!entry.hasAttribute('tabindex')) { entry.setAttribute('tabindex', '-1'); }
  entry.scrollIntoView({ block: 'center' });
  entry.focus({ preventScroll: true });
}

document.addEventListener('click', function (event) {
  var link = event.target.closest && event.target.closest('a.term');
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
  var help = document.getElementById('how-to-read');
  if (!help || help.offsetParent === null) { return; }  // the embedded widget: termToFullGlossary above
  event.preventDefault();
  openGlossaryAt(help, (link.dataset.term || '').toLowerCase());
});

// Opened from the embed's term ("…#how-to-read:<term>"): the glossary opens at the term's line once it is drawn.
if (window.location.hash.indexOf(GLOSSARY_AT) === 0) {
  (function openWhenDrawn(started) {
    var help = document.getElementById('how-to-read');
    if (help && help.offsetParent !== null) {
      openGlossaryAt(help, decodeURIComponent(window.location.hash.slice(GLOSSARY_AT.length)).toLowerCase());
    } else if (Date.now() - started < 10000) {
      window.requestAnimationFrame(function () { openWhenDrawn(started); });
    }
  })(Date.now());
}

// The tabs, as the tab pattern has them: one Tab stop (the open tab, components/shell.py), and the arrow keys, Home
// and End move between them; Enter or Space opens the one with the focus. Opening waits for that key, since a lazy
// tab's panel is fetched when first opened and arrowing past it should not fetch it.
document.addEventListener('keydown', function (event) {
  var tab = event.target.closest && event.target.closest('#view-tabs [role="tab"]');
  if (!tab || event.ctrlKey || event.altKey || event.metaKey) { return; }
  var tabs = Array.prototype.slice.call(tab.parentElement.querySelectorAll('[role="tab"]'));
  var at = tabs.indexOf(tab);
  var to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (to === undefined) { return; }
  event.preventDefault();
  tabs[(to + tabs.length) % tabs.length].focus();
});

// "Clear all filters" hides itself once there is nothing left to clear, and the focus would fall to the page's top.
// The one beside the results count hands the focus to the count, which then says what the cleared view holds. One
// in a "None … matches" message, further down the page, hands it to the heading above that message, kept where the
// reader is, since a phone reader scrolled to a force's profile should not be thrown back to the filters.
function pphHeadingBefore(link) {
  for (var box = link.parentElement; box && box !== document.body; box = box.parentElement) {
    var before = Array.prototype.filter.call(box.querySelectorAll('h2, h3'), function (h) {
      return h.compareDocumentPosition(link) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    if (before.length) {
      var heading = before[before.length - 1];
      // Found again by id after the view is redrawn: the heading's own, or that of the panel holding it.
      var region = heading.id ? heading : heading.parentElement.closest('[id]');
      return { id: region && region.id, own: heading.id !== '' };
    }
  }
  return null;
}

// The focus on `target`, and the target brought up when it is out of view or starts in the lower half of the window
// (a comparison that grows once drawn would otherwise open with only its first row showing).
function pphFocusHere(target) {
  if (!target.hasAttribute('tabindex') && target.tagName !== 'SUMMARY') { target.setAttribute('tabindex', '-1'); }
  target.focus({ preventScroll: true });
  var box = target.getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight * 0.5) { window.scrollTo(0, window.scrollY + box.top - 12); }
}

document.addEventListener('click', function (event) {
  var link = event.target.closest && event.target.closest('a.clear-all');
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
  var started = Date.now();
  var near = link.id === 'clear-all' ? null : pphHeadingBefore(link);
  (function settle() {
    var now = document.activeElement;
    if (now && now !== document.body && now !== link) { return; }  // the reader has moved on
    var target;
    if (near && near.id) {
      var region = document.getElementById(near.id);
      target = region && (near.own ? region : region.querySelector('h2, h3'));
    } else {
      // On a phone the count is inside the folded filters: their "Filters (0 active)" takes the focus instead.
      target = ['results-count', 'filters-summary'].map(function (id) { return document.getElementById(id); })
        .filter(function (e) { return e && e.offsetParent !== null; })[0];
    }
    if ((!now || now === document.body || link.offsetParent === null || !link.isConnected) && target) {
      pphFocusHere(target);
      return;
    }
    if (Date.now() - started < 3000) { window.requestAnimationFrame(settle); }
  })();
});

// dcc.Link scrolls the page to its top on every click (Dash's own Link): right for a link at the top, wrong for one
// in a panel further down ("Compare with …", a count in the coverage matrix), which threw the reader to the filters
// and left the focus on the page. The jump is undone before the page is painted (this listener, on the window,
// runs after the Link's), and the focus goes where the link points: a force's profile when it chooses a force, the
// comparison when it changes what is compared, otherwise the heading above the link, which stays in place.
// "opens-view" and "clear-all" links place the focus themselves (above); their jump is undone all the same.
var pphLinkClick = null;
document.addEventListener('click', function (event) {
  pphLinkClick = null;
  var link = event.target.closest && event.target.closest('#app-root a[href]');
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
  if (link.target && link.target !== '_self') { return; }
  var to = new URL(link.href, window.location.href);
  // A link to a place on the page ("#how-to-read", "#work-…") is the browser's, or the opens-view links' own, to scroll.
  if (to.origin !== window.location.origin || to.pathname !== window.location.pathname || to.hash) { return; }
  pphLinkClick = { link: link, y: window.scrollY, from: new URLSearchParams(window.location.search), to: to };
}, true);

window.addEventListener('click', function () {
  var click = pphLinkClick;
  pphLinkClick = null;
  if (!click || window.location.href !== click.to.href) { return; }  // not a Link's in-page move
  if (window.scrollY !== click.y) { window.scrollTo(0, click.y); }
  var link = click.link;
  if (link.matches('.opens-view, .clear-all')) { return; }
  var now = click.to.searchParams;
  var force = now.get('force');
  var near = pphHeadingBefore(link);
  var title = (document.getElementById('view-title') || {}).textContent;
  var compared = (document.getElementById('comparison') || {}).innerHTML;
  var started = Date.now();
  (function settle() {
    var active = document.activeElement;
    if (active && active !== document.body && active !== link) { return; }  // the reader has moved on
    var target = null;
    if (force && force !== click.from.get('force')) {
      var heading = document.getElementById('view-title');
      // The profile's heading, once it names the force chosen (the server draws the rest).
      if (heading && heading.textContent !== title) { target = heading; }
    } else if ((now.get('compare') || '') !== (click.from.get('compare') || '')) {
      // Once redrawn with the forces now compared: brought up before it grows, it would stop short of the top.
      var comparison = document.getElementById('comparison');
      if (comparison && comparison.innerHTML !== compared) { target = comparison; }
    } else if (!link.isConnected && near && near.id) {
      var region = document.getElementById(near.id);
      target = region && (near.own ? region : region.querySelector('h2, h3'));
    }
    if (target) { pphFocusHere(target); return; }
    if (Date.now() - started < 3000) { window.requestAnimationFrame(settle); }
  })();
});

// A reviewer who sends a proposal of their own: the queue on the same page shows it once sent, as a refresh of the
// queue would ("Refresh the queue", pressed for them), rather than saying "Nothing is waiting" until pressed.
document.addEventListener('click', function (event) {
  var send = event.target.closest && event.target.closest('#register-submit');
  var status = document.getElementById('register-submit-status');
  if (!send || !status || !document.getElementById('register-queue-refresh')) { return; }
  var said = status.textContent;
  var started = Date.now();
  (function settle() {
    var now = status.textContent;
    if (now !== said && now.indexOf('Sent for review') === 0) {
      var refresh = document.getElementById('register-queue-refresh');
      if (refresh) { refresh.click(); }
      return;
    }
    if (Date.now() - started < 15000) { window.requestAnimationFrame(settle); }
  })();
});

// The register's review queue: Publish or Return takes its card away, and the focus would fall to the page's top.
// The status line under the queue, which says what was done or why not ("Not returned: say what the contributor
// should change."), takes it and comes into view, so the answer is seen and read out where the keyboard is.
// Return with the comment box empty: the box, with the sentence under it (components/register/review.py), takes the
// focus instead, so the reader writes the comment there and then.
document.addEventListener('click', function (event) {
  var button = event.target.closest && event.target.closest('#register-queue button');
  var status = document.getElementById('register-review-status');
  if (!button || !status) { return; }
  var comment = button.closest('.register-item') && button.closest('.register-item').querySelector('textarea');
  // A pattern-matching id is its JSON in the page: {"submission":5,"type":"register-return"}.
  if (comment && button.id.indexOf('"register-return"') >= 0 && !comment.value.trim()) {
    comment.scrollIntoView({ block: 'center' });
    comment.focus({ preventScroll: true });
    return;
  }
  var said = status.textContent;
  var started = Date.now();
  (function settle() {
    if (status.textContent && status.textContent !== said) { pphFocusHere(status); return; }
    if (Date.now() - started < 10000) { window.requestAnimationFrame(settle); }
  })();
});

// On a phone "Clear selection" hides once its force is cleared (the box shows its placeholder, and the button would
// clear nothing; assets/style.css), and the focus it held would fall to the page's start. The Force box takes it,
// where the reader chooses the next force (trial 21, low).
document.addEventListener('click', function (event) {
  var button = event.target.closest && event.target.closest('#clear-force');
  var box = document.getElementById('force-select');
  if (!button || !box) { return; }
  var started = Date.now();
  (function settle() {
    if (button.offsetParent === null) {
      // Still the button's, or already fallen to the page: the reader has not moved it elsewhere.
      var at = document.activeElement;
      if (!at || at === document.body || at === button) { box.focus({ preventScroll: true }); }
      return;
    }
    if (Date.now() - started < 3000) { window.requestAnimationFrame(settle); }
  })();
});

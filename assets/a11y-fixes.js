/*
 * Two accessibility repairs to Dash 4's dcc.Dropdown, found by axe-core:
 *  - keyboard focus goes to a hidden helper input that is aria-hidden (aria-hidden-focus,
 *    serious), while the dropdown's own button, which opens it with Enter, is out of the tab
 *    order. Swap them: the button takes focus, the helper does not.
 *  - the button is named through aria-labelledby by parts that run together differently from
 *    what is shown (axe: label-content-name-mismatch), and the page's <label for=...> is not
 *    used. Let the button be named by what it shows, and describe it by the label.
 * It also takes plotly's toolbar buttons out of the tab order, and gives link-less <a> controls the
 * role of buttons.
 * Remove the dropdown parts once dcc.Dropdown does both itself.
 */
(function () {
  function repair() {
    // Plotly's toolbar buttons would be most of the page's tab stops; mouse users keep them, and the
    // keyboard has the page's own controls (download, save charts, the map's table).
    document.querySelectorAll('.modebar-btn').forEach(function (button) {
      if (button.getAttribute('tabindex') !== '-1') { button.setAttribute('tabindex', '-1'); }
    });
    // Controls made of <a> with no link (plotly's toolbar, the dropdown's clear control) are buttons;
    // as bare anchors, search engines and Lighthouse read them as broken links.
    document.querySelectorAll('a.modebar-btn:not([href]), a.dash-dropdown-clear:not([href])').forEach(function (control) {
      if (control.getAttribute('role') !== 'button') { control.setAttribute('role', 'button'); }
    });
    document.querySelectorAll('.dash-dropdown-wrapper').forEach(function (wrapper) {
      var helper = wrapper.querySelector('.dash-dropdown-focus-target[aria-hidden="true"]');
      var button = wrapper.querySelector('button.dash-dropdown');
      if (!helper || !button) { return; }
      if (helper.getAttribute('tabindex') !== '-1') { helper.setAttribute('tabindex', '-1'); }
      if (button.getAttribute('tabindex') !== '0') { button.setAttribute('tabindex', '0'); }
      var label = button.id && document.querySelector('label[for="' + button.id + '"]');
      if (!label) { return; }
      if (!label.id) { label.id = button.id + '-label'; }
      if (button.hasAttribute('aria-labelledby')) { button.removeAttribute('aria-labelledby'); }
      if (button.getAttribute('aria-describedby') !== label.id) { button.setAttribute('aria-describedby', label.id); }
    });
  }
  // React may set these attributes again when it re-renders a dropdown, so they are watched too;
  // repair() only writes an attribute that differs, so its own writes end the cycle.
  new MutationObserver(repair).observe(document.documentElement, {
    childList: true, subtree: true, characterData: true,
    attributes: true, attributeFilter: ['tabindex', 'role', 'aria-labelledby', 'aria-describedby'],
  });
})();

/*
 * Two accessibility repairs to Dash 4's dcc.Dropdown, found by axe-core:
 *  - keyboard focus goes to a hidden helper input that is aria-hidden (aria-hidden-focus,
 *    serious), while the dropdown's own button, which opens it with Enter, is out of the tab
 *    order. Swap them: the button takes focus, the helper does not.
 *  - the button is named through aria-labelledby by parts that run together differently from
 *    what is shown (axe: label-content-name-mismatch), and the page's <label for=...> is not
 *    used. Let the button be named by what it shows, and describe it by the label.
 * It also gives the dropdown's link-less clear control (an <a>) the role of a button.
 *
 * Only dropdowns are watched: each `.dash-dropdown-wrapper`, once the page adds it, gets an observer of
 * its own attributes, since React may set them again when it re-renders the dropdown. Finding new
 * dropdowns needs only the page's added elements (no attribute or text changes anywhere else).
 * It relies on dcc.Dropdown's markup in the installed Dash (class names, the aria-hidden helper,
 * aria-labelledby): tests/unit/test_dash_couplings.py fails, saying "re-check assets/a11y-fixes.js",
 * when an upgrade changes them. Remove the dropdown parts once dcc.Dropdown does both itself.
 */
(function () {
  var WRAPPER = '.dash-dropdown-wrapper';

  // Each repair writes an attribute only where it differs, so its own writes end the cycle.
  function repair(wrapper) {
    var clear = wrapper.querySelector('a.dash-dropdown-clear:not([href])');
    if (clear && clear.getAttribute('role') !== 'button') { clear.setAttribute('role', 'button'); }
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
  }

  function watch(wrapper) {
    if (wrapper.__pphRepaired) { return; }
    wrapper.__pphRepaired = true;
    repair(wrapper);
    new MutationObserver(function () { repair(wrapper); }).observe(wrapper, {
      childList: true, subtree: true,
      attributes: true, attributeFilter: ['tabindex', 'role', 'aria-labelledby', 'aria-describedby', 'href'],
    });
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1) { return; }
        if (node.matches(WRAPPER)) { watch(node); }
        node.querySelectorAll(WRAPPER).forEach(watch);
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

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
 * And the open list, whose options are native checkboxes (radio buttons for a single choice) that take the focus
 * and carry the checked state: Dash wraps each in a label with role "option" inside a "listbox", which puts a
 * focusable control inside another (axe: nested-interactive, aria-allowed-role), and gives neither the list nor
 * its popup a name (aria-input-field-name, aria-dialog-name). The list becomes a named group (radiogroup) of
 * plain labels, its popup a dialog named after the field, and the button says it opens a dialog.
 *
 * And one repair of its search: a dropdown that opens on a chosen value puts the focus on that option,
 * not in its search box, so what a reader then types went nowhere ("Durh" did not narrow the Force list
 * with Durham chosen). A letter typed while an option of an open list has the focus now moves the focus
 * to the list's search box first, where the browser then puts the letter. On a touch screen the list
 * opens with the focus in its search box, as it already does when nothing is chosen, so the phone's
 * keyboard types into it.
 *
 * Only dropdowns are watched: each `.dash-dropdown-wrapper`, once the page adds it, gets an observer of
 * its own attributes, since React may set them again when it re-renders the dropdown. Finding new
 * dropdowns needs only the page's added elements (no attribute or text changes anywhere else).
 * It relies on dcc.Dropdown's markup in the installed Dash (class names, the aria-hidden helper,
 * aria-labelledby, the list's search box and its Home key): tests/unit/test_dash_couplings.py fails, saying
 * "re-check assets/a11y-fixes.js", when an upgrade changes them. Remove the dropdown parts once dcc.Dropdown does both itself.
 */
(function () {
  var WRAPPER = '.dash-dropdown-wrapper';

  // Each repair writes an attribute only where it differs, so its own writes end the cycle.
  function set(element, name, value) {
    if (element.getAttribute(name) !== value) { element.setAttribute(name, value); }
  }
  function unset(element, name) {
    if (element.hasAttribute(name)) { element.removeAttribute(name); }
  }

  function repairList(wrapper, name) {
    var popup = wrapper.querySelector('.dash-dropdown-content');
    if (!popup) { return; }
    // Named even with nothing to choose (a new register's "Note" list), when it holds only "No options found".
    set(popup, 'aria-label', name + ': choices');
    var list = popup.querySelector('.dash-options-list');
    if (!list) { return; }
    set(list, 'role', list.querySelector('input[type="radio"]') ? 'radiogroup' : 'group');
    set(list, 'aria-label', name);
    list.querySelectorAll('label.dash-options-list-option').forEach(function (option) {
      unset(option, 'role');
      unset(option, 'aria-selected');
    });
  }

  function repair(wrapper) {
    var clear = wrapper.querySelector('a.dash-dropdown-clear:not([href])');
    if (clear) { set(clear, 'role', 'button'); }
    var helper = wrapper.querySelector('.dash-dropdown-focus-target[aria-hidden="true"]');
    var button = wrapper.querySelector('button.dash-dropdown');
    if (!helper || !button) { return; }
    set(helper, 'tabindex', '-1');
    set(button, 'tabindex', '0');
    set(button, 'aria-haspopup', 'dialog');
    var label = button.id && document.querySelector('label[for="' + button.id + '"]');
    repairList(wrapper, label ? label.textContent.trim() : button.textContent.trim());
    if (!label) { return; }
    if (!label.id) { label.id = button.id + '-label'; }
    unset(button, 'aria-labelledby');
    set(button, 'aria-describedby', label.id);
  }

  function watch(wrapper) {
    if (wrapper.__pphRepaired) { return; }
    wrapper.__pphRepaired = true;
    repair(wrapper);
    new MutationObserver(function () { repair(wrapper); }).observe(wrapper, {
      childList: true, subtree: true,
      attributes: true,
      attributeFilter: ['tabindex', 'role', 'aria-labelledby', 'aria-describedby', 'aria-selected', 'aria-haspopup', 'href'],
    });
  }

  var LIST = '.dash-dropdown-content';
  var SEARCH = 'input.dash-dropdown-search';
  var OPTION = '.dash-options-list-option-checkbox';

  function searchOf(element) {
    var list = element && element.closest && element.closest(LIST);
    return list && list.querySelector(SEARCH);
  }

  // The list's own key for "back to the search box" is Home: pressing it for the reader, rather than
  // focusing the box, also moves the list's idea of where the focus is, so ArrowDown then goes to the
  // first option found rather than past the end of the shortened list.
  function toSearch(option) {
    option.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true, cancelable: true }));
  }

  // Capture, so the focus has moved before the browser decides where the letter goes. A space still
  // picks the option, and shortcuts (Ctrl, Alt, Cmd) are left alone.
  document.addEventListener('keydown', function (event) {
    if (event.key.length !== 1 || event.key === ' ' || event.ctrlKey || event.altKey || event.metaKey) { return; }
    var search = searchOf(event.target);
    if (search && event.target !== search) { toSearch(event.target); }
  }, true);

  // Only the focus Dash gives an option as the list opens (it comes from outside the list): an option
  // tapped inside an open list keeps it.
  var touch = window.matchMedia('(pointer: coarse)');
  document.addEventListener('focusin', function (event) {
    if (!touch.matches || !event.target.matches || !event.target.matches(OPTION)) { return; }
    var search = searchOf(event.target);
    var from = event.relatedTarget;
    if (search && !(from && from.closest && from.closest(LIST))) { toSearch(event.target); }
  });

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

/*
 * The filters' disclosure (components/shell.py, filter_bar) is folded on a phone and shown whole on wider screens,
 * where the stylesheet shows its content from the first paint. A <details> that is only shown, not open, is hidden
 * to assistive technology and to axe, so on those screens it is opened too, as the page is drawn and when the
 * window widens. Narrowed again, it is left as it is: the reader's filters do not fold away under them.
 */
(function () {
  var wide = window.matchMedia('(min-width: 641px)');
  function openWhenWide() {
    var filters = document.getElementById('filters-toggle');
    if (filters && wide.matches && !filters.open) { filters.open = true; }
    return filters;
  }
  if (!openWhenWide()) {
    var drawn = new MutationObserver(function () { if (openWhenWide()) { drawn.disconnect(); } });
    drawn.observe(document.documentElement, { childList: true, subtree: true });
  }
  wide.addEventListener('change', openWhenWide);
})();

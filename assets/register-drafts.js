/*
 * The register's update draft, kept in this browser per user (components/register/update_draft.py, the
 * module's docstring). Dash keeps what a user types in a field, but not what a callback set there, and every field
 * of a loaded record is set by one: so the whole draft of an update (the record, the revision it was
 * loaded at, every field and figure row as shown) is kept here, under the user's own key, and given back
 * to the server once as the page opens, to restore instead of loading the record again.
 */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  registerDrafts: {
    // "Edit and send again" on a returned proposal (components/register/propose.py): the form, far above the
    // list, comes into view with the focus on its first field, which the server fills with what was sent.
    toForm: function (clicks) {
      var pressed = (clicks || []).some(function (n) { return n > 0; });
      var field = document.getElementById('register-update-of') || document.getElementById('register-title');
      if (!pressed || !field) { return window.dash_clientside.no_update; }
      // From the form's heading: under it, the reviewer's comment on a returned proposal, then the fields.
      var form = field.closest('section');
      ((form && form.querySelector('h3')) || field.closest('.register-field') || field).scrollIntoView({ block: 'start' });
      field.focus({ preventScroll: true });
      return Date.now();
    },
    // As the page opens: this user's update draft, or null.
    read: function (slot) {
      if (!slot) { return null; }
      try {
        return JSON.parse(window.localStorage.getItem(slot));
      } catch (e) {
        return null;  // no storage, or something unreadable in it: the record is loaded afresh
      }
    },
    // Whenever a field changes: the form as shown, while it holds the record chosen in the picker. With
    // "A new initiative" chosen (or once sent) the draft is forgotten; while another record is being loaded,
    // the fields are still the last one's, so nothing is written.
    // It takes no arguments: with some sixty inputs, each is read by its id from callback_context, never by
    // position (Dash has no dict-keyed signature for a clientside callback; tests/code_shape.py checks this).
    keep: function () {
      var context = window.dash_clientside.callback_context;
      var noUpdate = window.dash_clientside.no_update;
      var slot = context.states['register-update-draft-slot.data'];
      var chosen = context.inputs['register-update-of.value'];
      var loaded = context.inputs['register-loaded-record.data'];
      if (!slot) { return noUpdate; }
      try {
        // "" is "A new initiative", chosen or set once sent. null is the picker emptying itself when the
        // record is no longer offered (withdrawn): the draft stays the loaded record's.
        if (chosen === null || chosen === undefined) { chosen = loaded; }
        if (!chosen && chosen !== '') { return noUpdate; }
        if (chosen === '') {
          if (window.localStorage.getItem(slot) === null) { return noUpdate; }
          window.localStorage.removeItem(slot);
          return null;
        }
        if (chosen !== loaded) { return noUpdate; }
        var values = {};
        context.inputs_list.forEach(function (input) {
          values[input.id] = input.value === undefined ? null : input.value;
        });
        var draft = {record_id: loaded, base_revision: context.inputs['register-base-revision.data'], values: values};
        window.localStorage.setItem(slot, JSON.stringify(draft));
        return draft;
      } catch (e) {
        return noUpdate;  // storage full or refused: the page still holds the form
      }
    },
    // Once sending fails: focus the form's error summary (at the top of the form, far above the button),
    // so a keyboard or screen reader user is taken to what needs them.
    focusSummary: function (children, id) {
      var shown = Array.isArray(children) ? children.length > 0 : !!children;
      if (!shown) { return window.dash_clientside.no_update; }
      window.requestAnimationFrame(function () {
        var summary = document.getElementById(id);
        if (summary) {
          summary.scrollIntoView({block: 'start'});
          summary.focus({preventScroll: true});
        }
      });
      return Date.now();
    }
  }
});

/*
 * The register's in-page links (the way in at the top of the page, the error summary's links to fields):
 * scroll to what they name and focus it, without changing the page's address (it holds the view, and a
 * "#" in it would be read as one). Without this script, the link's href still scrolls there.
 */
document.addEventListener('click', function (event) {
  var link = event.target && event.target.closest ? event.target.closest('a[data-register-focus]') : null;
  if (!link) { return; }
  var target = document.getElementById(link.getAttribute('data-register-focus'));
  if (!target) { return; }
  event.preventDefault();
  target.scrollIntoView({block: target.tagName === 'H2' ? 'start' : 'center'});
  target.focus({preventScroll: true});
});

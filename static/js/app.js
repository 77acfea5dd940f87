// Backroom page behaviour on top of htmx. No build step: plain ES2017.
(function () {
  'use strict';

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : '';
  }

  // Every htmx request carries the CSRF token as a header.
  document.addEventListener('htmx:configRequest', function (evt) {
    var token = csrfToken();
    if (token) {
      evt.detail.headers['X-CSRF-Token'] = token;
    }
  });

  // A button with data-copy="#id" copies that element's text (a token shown once, settings).
  document.addEventListener('click', function (evt) {
    var btn = evt.target && evt.target.closest && evt.target.closest('[data-copy]');
    if (!btn) return;
    var src = document.querySelector(btn.getAttribute('data-copy'));
    if (!src || !navigator.clipboard) return;
    navigator.clipboard.writeText(src.textContent.trim()).then(function () {
      var label = btn.textContent;
      btn.textContent = 'Copied';
      setTimeout(function () { btn.textContent = label; }, 1500);
    });
  });

  // "/" focuses the global search unless the user is typing somewhere.
  document.addEventListener('keydown', function (evt) {
    if (evt.key !== '/' || evt.ctrlKey || evt.metaKey || evt.altKey || evt.defaultPrevented) {
      return;
    }
    var t = evt.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      return;
    }
    var search = document.getElementById('global-search') ||
      document.querySelector('[data-global-search], input[type="search"]');
    if (search) {
      evt.preventDefault();
      search.focus();
      if (search.select) search.select();
    }
  });

  // The top bar's suggestions close on Escape and when focus or a click leaves the search.
  function closeSuggestions() {
    var box = document.getElementById('search-suggestions');
    if (box) box.innerHTML = '';
  }
  document.addEventListener('keydown', function (evt) {
    if (evt.key === 'Escape' && evt.target && evt.target.closest && evt.target.closest('[data-global-search-form]')) {
      closeSuggestions();
    }
  });
  document.addEventListener('click', function (evt) {
    if (!(evt.target && evt.target.closest && evt.target.closest('[data-global-search-form]'))) {
      closeSuggestions();
    }
  });

  // Disable submit buttons while their htmx request runs (no double submits).
  function submitButtons(elt) {
    var form = elt.tagName === 'FORM' ? elt : elt.closest && elt.closest('form');
    var list = [];
    if (form) {
      list = Array.prototype.slice.call(form.querySelectorAll('button:not([type]), button[type="submit"], input[type="submit"]'));
      if (form.id) {
        list = list.concat(Array.prototype.slice.call(
          document.querySelectorAll('[form="' + form.id + '"][type="submit"], button[form="' + form.id + '"]:not([type])')));
      }
    }
    if ((elt.tagName === 'BUTTON' || elt.tagName === 'INPUT') && list.indexOf(elt) < 0) {
      list.push(elt);
    }
    return list;
  }
  document.addEventListener('htmx:beforeRequest', function (evt) {
    submitButtons(evt.detail.elt).forEach(function (b) {
      if (!b.disabled) {
        b.disabled = true;
        b.setAttribute('data-busy', '');
        b.setAttribute('aria-busy', 'true');
      }
    });
  });
  document.addEventListener('htmx:afterRequest', function (evt) {
    submitButtons(evt.detail.elt).forEach(function (b) {
      if (b.hasAttribute('data-busy')) {
        b.disabled = false;
        b.removeAttribute('data-busy');
        b.removeAttribute('aria-busy');
      }
    });
  });

  // A scan form ([data-scan-form]) is ready for the next scan after each answer: emptied
  // after a successful one, its field focused and selected either way, so a scanner's next
  // code replaces the last instead of being appended to it. (An hx-on attribute cannot do
  // this: the Content-Security-Policy allows no eval, so htmx cannot compile hx-on code.)
  document.addEventListener('htmx:afterRequest', function (evt) {
    var form = evt.detail.elt;
    if (!form || !form.matches || !form.matches('form[data-scan-form]')) return;
    if (evt.detail.successful) form.reset();
    var field = form.querySelector('[autofocus]') || form.querySelector('input:not([type="hidden"])');
    if (field) {
      field.focus();
      if (field.select) field.select();
    }
  });

  // Flash messages: a [data-dismiss] button inside [data-flash] removes it.
  document.addEventListener('click', function (evt) {
    var btn = evt.target.closest && evt.target.closest('[data-dismiss]');
    if (!btn) return;
    var flash = btn.closest('[data-flash]');
    if (flash) {
      evt.preventDefault();
      flash.remove();
    }
  });
  document.addEventListener('keydown', function (evt) {
    if (evt.key !== 'Escape') return;
    var t = evt.target;
    var flash = t && t.closest && t.closest('[data-flash]');
    if (flash) flash.remove();
  });

  // The first invalid field gets focus: after a swap, and on a full page load.
  function focusFirstInvalid(root) {
    var el = (root || document).querySelector('[aria-invalid="true"]');
    if (el && typeof el.focus === 'function') {
      el.focus();
      return true;
    }
    return false;
  }
  document.addEventListener('htmx:afterSettle', function (evt) {
    var target = evt.detail && (evt.detail.target || evt.detail.elt);
    if (!focusFirstInvalid(target && target.isConnected ? target : document)) {
      // Swapped content may live outside the target (hx-swap-oob, outerHTML).
      if (target && !target.isConnected) focusFirstInvalid(document);
    }
  });
  document.addEventListener('DOMContentLoaded', function () {
    focusFirstInvalid(document);
  });
})();

// Small behaviours shared by every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  // Confirm destructive actions: <button data-confirm="Cancel this booking?">.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  // A refusal meant to be shown in place (a form with its errors: 400; a conflict: 409; 422)
  // is swapped like a success; htmx leaves 4xx answers unswapped by default. With DEBUG on,
  // django-htmx's debug handler (listening on the document) would replace the whole page with
  // such an answer: stopping the event at the body keeps it for real failures (403, 404, 500).
  function shownInPlace(xhr) {
    return xhr.status === 400 || xhr.status === 409 || xhr.status === 422;
  }
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    if (shownInPlace(event.detail.xhr)) { event.stopPropagation(); }
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (shownInPlace(event.detail.xhr)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // The calendar remembers its view (by practitioner, by room, a practitioner's week, the week
  // of everyone) in this browser: the menu's "Calendar" link opens the last one shown, on today.
  // Only a path on this site is kept; without storage the link opens the day view.
  try {
    var shown = document.querySelector("[data-calendar-view]");
    if (shown) {
      window.localStorage.setItem("clinic.calendarView", shown.getAttribute("data-calendar-view"));
    }
    var remembered = window.localStorage.getItem("clinic.calendarView");
    if (remembered && /^\/[^\/\\]/.test(remembered)) {
      document.querySelectorAll("a[data-calendar-link]").forEach(function (link) {
        link.setAttribute("href", remembered);
      });
    }
  } catch (error) { /* storage refused (private mode): the default view */ }
  // Print buttons: <button data-print>.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
})();

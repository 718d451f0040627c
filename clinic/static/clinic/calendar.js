// The booking dialog: htmx loads forms into a Bootstrap modal. Without JS the links and forms
// are ordinary pages, so nothing here is needed to book.
(function () {
  "use strict";
  // A form with errors comes back as 400: show it (htmx does not swap 4xx answers by default).
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // After the dialog's content arrives, put the keyboard focus on its first field.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var dialog = event.target.closest && event.target.closest(".modal");
    if (!dialog) { return; }
    var field = dialog.querySelector(".modal-body select, .modal-body input:not([type=hidden]), .modal-body button");
    if (field) { field.focus(); }
  });
  // A slot link clicked inside the open dialog must not reopen it.
  document.body.addEventListener("show.bs.modal", function (event) {
    var body = event.target.querySelector("#booking-dialog-body");
    if (body) { body.innerHTML = "<p>Loading…</p>"; }
  });
})();

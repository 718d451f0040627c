// The booking dialog: htmx loads forms into a Bootstrap modal. Without JS the links and forms
// are ordinary pages, so nothing here is needed to book.
(function () {
  "use strict";
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

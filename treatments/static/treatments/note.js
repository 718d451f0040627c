// The note page: the point picker's keyboard handling and focus after the quick-line preview.
(function () {
  "use strict";

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option][data-code]"));
  }

  function listFor(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function setActive(input, list, index) {
    var opts = options(list);
    opts.forEach(function (opt, i) {
      var on = i === index;
      opt.setAttribute("aria-selected", on ? "true" : "false");
      opt.classList.toggle("active", on);
    });
    if (index >= 0 && opts[index]) {
      input.setAttribute("aria-activedescendant", opts[index].id);
      opts[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  // One reading of a bare B36-B54: keep what was typed and record which reading was chosen.
  function readingInput(input) {
    return input.form ? input.form.querySelector("[data-picker-reading]") : null;
  }

  function choose(input, opt) {
    var reading = opt.getAttribute("data-reading");
    input.value = reading ? opt.getAttribute("data-entered") : opt.getAttribute("data-code");
    var hidden = readingInput(input);
    if (hidden) hidden.value = reading || "";
    var list = listFor(input);
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    input.focus();
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target.closest("[data-picker] input[role=combobox]");
    if (!input) return;
    var list = listFor(input);
    var opts = list ? options(list) : [];
    if (!opts.length) return;
    var current = opts.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setActive(input, list, Math.min(current + 1, opts.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive(input, list, Math.max(current - 1, 0));
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      choose(input, opts[current]);
    } else if (event.key === "Escape") {
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
    }
  });

  // Typing again forgets a reading chosen for what was there before.
  document.addEventListener("input", function (event) {
    var input = event.target.closest("[data-picker] input[role=combobox]");
    var hidden = input && readingInput(input);
    if (hidden) hidden.value = "";
  });

  document.addEventListener("click", function (event) {
    var opt = event.target.closest(".point-suggestions [role=option][data-code]");
    if (!opt) return;
    var input = document.querySelector("[data-picker] input[aria-controls='" + opt.parentElement.id + "']");
    if (input) choose(input, opt);
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("point-suggestions")) {
      var input = document.querySelector("[data-picker] input[aria-controls='" + target.id + "']");
      if (input) input.setAttribute("aria-expanded", options(target).length ? "true" : "false");
    }
  });

  // A quick line the server refuses (400) still shows its answer: swap the error fragment in.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && event.detail.target && event.detail.target.id === "quick-preview") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Autosave of the note form: "Saving…" while a save is on its way; the server's refusal
  // (400 invalid, 403 not yours, 409 signed) shown in the state line. Only that line is ever
  // swapped, so the fields keep what was typed.
  var AUTOSAVE_REFUSALS = [400, 403, 409];

  function autosaveStatus(event) {
    var elt = event.detail.elt;
    return elt && elt.id === "note-form" ? document.getElementById("autosave-status") : null;
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var status = autosaveStatus(event);
    if (status) status.textContent = "Saving…";
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "autosave-status" && AUTOSAVE_REFUSALS.indexOf(event.detail.xhr.status) >= 0) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function notSaved(event, reason) {
    var status = autosaveStatus(event);
    if (!status) return;
    var span = document.createElement("span");
    span.className = "text-danger";
    span.textContent = "Not saved: " + reason + " Your text is still here; use Save draft.";
    status.replaceChildren(span);
  }

  document.body.addEventListener("htmx:sendError", function (event) {
    notSaved(event, "the server could not be reached.");
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    notSaved(event, "the server had a problem (" + event.detail.xhr.status + ").");
  });

  // After a preview arrives, move focus to it so keyboard and screen-reader users land on the result.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || !/\/quick\/preview\/$/.test(xhr.responseURL || "")) return;
    var preview = document.getElementById("quick-preview");
    if (preview) {
      var reason = preview.querySelector("input[name^=reason-]");
      (reason || preview).focus();
    }
  });

  // Ctrl+Enter (or Cmd+Enter) in the quick line asks for the preview.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "id_text") {
      event.preventDefault();
      var form = event.target.form;
      var preview = form.querySelector("[data-quick-preview]");
      if (preview) preview.click();
      else if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }
  });
})();

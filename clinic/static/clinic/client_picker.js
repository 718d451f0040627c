// The client picker (clinic.forms.ClientPicker): htmx fetches the matches; this file hides the
// client-number field, fills it when a match is picked, and moves through the matches with the
// arrow keys. Listeners sit on the document, so pickers in htmx dialogs work too.
(function () {
  "use strict";

  function hideNumbers(root) {
    root.querySelectorAll("[data-client-picker] .client-picker-number").forEach(function (el) {
      el.hidden = true;
    });
  }

  function options(picker) {
    return Array.prototype.slice.call(picker.querySelectorAll(".client-picker-option"));
  }

  function pick(picker, option) {
    picker.querySelector(".client-picker-id").value = option.getAttribute("data-client-id");
    var search = picker.querySelector(".client-picker-search");
    search.value = option.getAttribute("data-client-label");
    picker.querySelector(".client-picker-results").innerHTML = "";
    picker.querySelector(".client-picker-hint").textContent = "Chosen: " + search.value + ".";
    search.focus();
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest(".client-picker-option");
    if (option) {
      event.preventDefault();
      pick(option.closest("[data-client-picker]"), option);
    }
  });

  // Typing a new name forgets the previous pick, so a stale number is never submitted.
  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("client-picker-search")) {
      event.target.closest("[data-client-picker]").querySelector(".client-picker-id").value = "";
    }
  });

  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest("[data-client-picker]");
    if (!picker) return;
    var list = options(picker);
    var index = list.indexOf(event.target);
    var search = picker.querySelector(".client-picker-search");
    if (event.key === "ArrowDown" && list.length) {
      event.preventDefault();
      list[Math.min(index + 1, list.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      (index === 0 ? search : list[index - 1]).focus();
    } else if (event.key === "Escape" && index >= 0) {
      search.focus();
    } else if (event.key === "Enter" && event.target === search) {
      // Enter in the box picks the only (or first) match instead of submitting the form.
      if (list.length) {
        event.preventDefault();
        pick(picker, list[0]);
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () { hideNumbers(document); });
  document.addEventListener("htmx:load", function (event) { hideNumbers(event.target); });
})();

// The body map (templates/clients/_body_map.html): regions chosen by pointer, touch or keyboard.
// The map only drives the real form fields (the region checkboxes of a note, the region select
// of an intake's body-site row, the point picker's text box), so what is posted is unchanged;
// without this script the map stays hidden and those fields are used directly.
(function () {
  "use strict";

  function shapes(map, region) {
    return Array.prototype.slice.call(map.querySelectorAll("[data-region='" + region + "']"));
  }

  function fire(input, name) {
    input.dispatchEvent(new Event(name, { bubbles: true }));
  }

  // -- "toggle": a region is a checkbox ticking the form's own checkbox of that region ----------
  function boxes(map) {
    var form = map.closest("form") || document;
    return Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name='" + map.dataset.target + "']"));
  }

  function syncToggle(map) {
    boxes(map).forEach(function (box) {
      shapes(map, box.value).forEach(function (shape) {
        shape.setAttribute("aria-checked", box.checked ? "true" : "false");
        shape.classList.toggle("selected", box.checked);
      });
    });
  }

  function toggle(map, region) {
    var box = boxes(map).find(function (b) { return b.value === region; });
    if (!box) return;
    box.checked = !box.checked;
    fire(box, "input");
    fire(box, "change");
    syncToggle(map);
  }

  // -- "site": a region sets the region of the body-site row being edited ------------------------
  function siteSelects(map) {
    var form = map.closest("form") || document;
    return Array.prototype.slice.call(form.querySelectorAll("select[name$='-region']"));
  }

  function activeSelect(map) {
    var selects = siteSelects(map);
    var chosen = selects.find(function (s) { return s.dataset.bodyMapActive === "true"; });
    return chosen || selects.find(function (s) { return !s.value; }) || selects[0];
  }

  function syncSite(map) {
    var select = activeSelect(map);
    siteSelects(map).forEach(function (s) { s.classList.toggle("body-map-active", s === select); });
    map.querySelectorAll("[data-region]").forEach(function (shape) {
      var on = !!select && shape.dataset.region === select.value;
      shape.setAttribute("aria-pressed", on ? "true" : "false");
      shape.classList.toggle("selected", on);
    });
    var status = map.parentElement.querySelector("[data-body-map-status]");
    if (status && select) {
      var label = select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "Where";
      var row = siteSelects(map).indexOf(select) + 1;
      status.textContent = "Choosing “" + label + "” for place " + row + ": " +
        (select.value ? select.options[select.selectedIndex].text : "not chosen yet") + ".";
    }
  }

  function pickSite(map, region) {
    var select = activeSelect(map);
    if (!select) return;
    select.value = region;
    fire(select, "change");
    syncSite(map);
  }

  // -- points: a dot types its code into the point picker ----------------------------------------
  function pickPoint(dot) {
    var input = document.querySelector("[data-picker] input[role=combobox]");
    if (!input) return;
    var details = input.closest("details");
    if (details) details.open = true;
    input.value = dot.dataset.pickPoint;
    fire(input, "input");
    input.focus();
  }

  function act(target) {
    var dot = target.closest("[data-pick-point]");
    if (dot) { pickPoint(dot); return true; }
    var shape = target.closest("[data-region]");
    var map = shape && shape.closest("[data-body-map]");
    if (!map) return false;
    if (map.dataset.bodyMap === "toggle") { toggle(map, shape.dataset.region); return true; }
    if (map.dataset.bodyMap === "site") { pickSite(map, shape.dataset.region); return true; }
    return false;
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && act(event.target)) event.preventDefault();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== " " && event.key !== "Enter") return;
    var target = event.target;
    if (!target.closest || !target.closest("[data-body-map] [tabindex]")) return;
    if (act(target)) event.preventDefault();
  });

  // The form's own fields changed some other way (typing, the fallback list, a reset).
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form) return;
    form.querySelectorAll("[data-body-map=toggle]").forEach(syncToggle);
    form.querySelectorAll("[data-body-map=site]").forEach(syncSite);
  });

  document.addEventListener("focusin", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[name$='-region']")) return;
    var form = select.form;
    if (!form) return;
    form.querySelectorAll("[data-body-map=site]").forEach(function (map) {
      siteSelects(map).forEach(function (s) { s.dataset.bodyMapActive = s === select ? "true" : "false"; });
      syncSite(map);
    });
  });

  function start() {
    document.querySelectorAll("[data-body-map]").forEach(function (map) {
      if (map.dataset.bodyMap === "view") return;
      map.hidden = false;
      var fallback = map.dataset.fallback && document.getElementById(map.dataset.fallback);
      if (fallback) fallback.hidden = true;
      if (map.dataset.bodyMap === "toggle") syncToggle(map);
      if (map.dataset.bodyMap === "site") syncSite(map);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

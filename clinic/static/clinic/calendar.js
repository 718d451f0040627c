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

// Moving sessions on the grid: drag a card (mouse, pen or finger: Pointer Events) to another
// time or column, drag its lower edge to change its length, or use the keys. Every move posts
// the booking's own move form (the server checks it like any move); a refused move goes back
// where it was and the reason is shown and announced. Without JS the card links to the booking,
// whose page has the move form.
(function () {
  "use strict";
  var grid = document.getElementById("calendar-grid");
  var announcer = document.getElementById("calendar-announce");
  if (!grid || !announcer) { return; }
  var STEP = 15; // minutes per grid row
  var DRAG_THRESHOLD = 6; // pixels before a press becomes a drag (a shorter one is a click)
  var active = null; // the move in progress: see begin()
  var swallowClick = false;

  function say(text, kind) {
    announcer.textContent = text;
    announcer.className = "calendar-announce small" + (kind ? " alert alert-" + kind + " py-1 px-2 mb-2" : "");
  }

  function toMinutes(hhmm) {
    var parts = hhmm.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function toHHMM(minutes) {
    var h = Math.floor(minutes / 60), m = minutes % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  function rows() { return Array.prototype.slice.call(grid.querySelectorAll("tbody tr[data-time]")); }
  function columns() { return Array.prototype.slice.call(grid.querySelectorAll("thead th[data-day]")); }

  // The index of the row holding `minutes` (the last row starting at or before it).
  function rowAt(allRows, minutes) {
    var found = 0;
    allRows.forEach(function (row, index) {
      if (toMinutes(row.getAttribute("data-time")) <= minutes) { found = index; }
    });
    return found;
  }

  // The index of the row at the height `y` on the screen (the first or last beyond the grid).
  function rowAtY(allRows, y) {
    for (var i = 0; i < allRows.length; i++) {
      if (y < allRows[i].getBoundingClientRect().bottom) { return i; }
    }
    return allRows.length - 1;
  }

  function columnOf(cols, x) {
    for (var i = 0; i < cols.length; i++) {
      var rect = cols[i].getBoundingClientRect();
      if (x >= rect.left && x < rect.right) { return i; }
    }
    return -1;
  }

  function label(el) {
    var client = el.querySelector(".booking-client");
    return client ? client.textContent : "The session";
  }

  function begin(card, mode) {
    var allRows = rows(), cols = columns();
    var cell = card.closest("td").getBoundingClientRect();
    var start = toMinutes(card.getAttribute("data-start"));
    var end = toMinutes(card.getAttribute("data-end"));
    if (end <= start) { end += 24 * 60; } // runs past midnight: keep the length
    active = {
      card: card, mode: mode, rows: allRows, cols: cols,
      start: start, length: end - start,
      column: Math.max(0, columnOf(cols, cell.left + cell.width / 2)),
      rowDelta: 0, lengthDelta: 0, columnDelta: 0,
      height: card.offsetHeight,
      timeText: card.querySelector(".booking-time").textContent
    };
    card.classList.add("booking-moving");
  }

  // Where the move would put the session now: start, end (minutes) and the column.
  function target() {
    var first = toMinutes(active.rows[0].getAttribute("data-time"));
    var last = toMinutes(active.rows[active.rows.length - 1].getAttribute("data-time")) + STEP;
    var start = active.start + active.rowDelta * STEP;
    var length = Math.max(STEP, active.length + active.lengthDelta * STEP);
    start = Math.min(Math.max(start, Math.min(first, active.start)), Math.max(last, active.start + active.length) - STEP);
    var column = Math.min(Math.max(active.column + active.columnDelta, 0), active.cols.length - 1);
    return { start: start, end: start + length, column: column };
  }

  function rowHeight() {
    return active.rows.length > 1
      ? active.rows[1].getBoundingClientRect().top - active.rows[0].getBoundingClientRect().top
      : active.rows[0].getBoundingClientRect().height;
  }

  // Show the card at the target: shifted to the column and the row, as long as it would be.
  function show() {
    var to = target(), card = active.card, all = active.rows;
    var from = active.cols[active.column].getBoundingClientRect();
    var into = active.cols[to.column].getBoundingClientRect();
    var top = all[rowAt(all, to.start)].getBoundingClientRect().top;
    var dy = top - all[rowAt(all, active.start)].getBoundingClientRect().top;
    card.style.transform = "translate(" + (into.left - from.left) + "px, " + dy + "px)";
    if (to.end - to.start === active.length) {
      card.style.height = card.style.marginBottom = "";
    } else {
      // To the bottom of the last row it would cover; past the grid's end, by the rows' measure.
      var last = all[all.length - 1].getBoundingClientRect();
      var rowsPast = Math.max(0, (to.end - toMinutes(all[all.length - 1].getAttribute("data-time")) - STEP) / STEP);
      var bottom = all[rowAt(all, to.end - 1)].getBoundingClientRect().bottom + rowsPast * last.height;
      card.style.height = (bottom - top) + "px";
      // A margin that gives back the difference: the table's rows keep their heights (else the
      // rows under the pointer would move as the card grows).
      card.style.marginBottom = (active.height - (bottom - top)) + "px";
    }
    card.querySelector(".booking-time").textContent = toHHMM(to.start % 1440) + "\u2013" + toHHMM(to.end % 1440);
    return to;
  }

  function where(to) {
    var column = active.cols[to.column];
    return toHHMM(to.start % 1440) + " to " + toHHMM(to.end % 1440) + ", " + column.getAttribute("data-label");
  }

  function reset() {
    if (!active) { return; }
    var card = active.card;
    card.style.transform = "";
    card.style.height = card.style.marginBottom = "";
    card.classList.remove("booking-moving");
    card.querySelector(".booking-time").textContent = active.timeText;
    active = null;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) { return ""; }
  }

  // Reload the grid from the server (the page's own address), and put the focus back on the
  // moved session for someone moving with the keys.
  function refresh(moveUrl, refocus) {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("calendar-grid");
        if (!fresh) { return; }
        grid.innerHTML = fresh.innerHTML;
        document.dispatchEvent(new CustomEvent("calendar:updated"));
        if (refocus) {
          var card = grid.querySelector('.booking-card[data-move-url="' + moveUrl + '"]');
          if (card) { card.focus(); }
        }
      });
  }

  function save(refocus) {
    var to = show(), card = active.card, column = active.cols[to.column];
    var body = new FormData();
    body.append("date", column.getAttribute("data-day"));
    body.append("time", toHHMM(to.start));
    if (to.end - to.start !== active.length) { body.append("end_time", toHHMM(to.end % 1440)); }
    body.append("practitioner", column.getAttribute("data-practitioner") || card.getAttribute("data-practitioner"));
    // By room, the column names the room; otherwise the room is kept if free, else any.
    body.append("room", column.getAttribute("data-room") || "");
    var url = card.getAttribute("data-move-url"), what = label(card);
    card.setAttribute("aria-busy", "true");
    say("Saving " + what + " at " + where(to) + "…");
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: "The move could not be saved (the server answered " + response.status + ")." };
      });
    }).then(function (answer) {
      card.removeAttribute("aria-busy");
      if (answer.ok) {
        active = null;
        // Said once the grid shows the session where it now is (the move is saved either way).
        var done = function () { say(what + ": " + answer.message, "success"); };
        return refresh(url, refocus).then(done, done);
      }
      reset();
      say(what + " was not moved. " + answer.message, "danger");
      if (refocus) { card.focus(); }
    }, function () {
      card.removeAttribute("aria-busy");
      reset();
      say(what + " was not moved: the server could not be reached.", "danger");
    });
  }

  // Pointer: press on a card (or its lower edge), drag, release.
  var press = null;
  grid.addEventListener("pointerdown", function (event) {
    var card = event.target.closest(".booking-card[data-move-url]");
    swallowClick = false;
    if (!card || active || event.button > 0) { return; }
    // The session's cell spans exactly its rows: where in it the pointer holds it.
    var cell = card.closest("td").getBoundingClientRect();
    press = {
      card: card, x: event.clientX, y: event.clientY, id: event.pointerId,
      fromTop: event.clientY - cell.top, toBottom: cell.bottom - event.clientY,
      mode: event.target.closest(".resize-handle") ? "resize" : "move"
    };
  });
  grid.addEventListener("pointermove", function (event) {
    if (!press || event.pointerId !== press.id) { return; }
    var dx = event.clientX - press.x, dy = event.clientY - press.y;
    if (!active) {
      if (Math.abs(dx) < DRAG_THRESHOLD && Math.abs(dy) < DRAG_THRESHOLD) { return; }
      begin(press.card, press.mode);
      press.card.setPointerCapture(event.pointerId);
    }
    event.preventDefault();
    // Near the grid's top or bottom edge, scroll it: a day is taller than the screen.
    var box = grid.getBoundingClientRect(), EDGE = 32;
    if (event.clientY < box.top + EDGE + rowHeight()) { grid.scrollTop -= 12; }
    if (event.clientY > box.bottom - EDGE) { grid.scrollTop += 12; }
    // The rows under the pointer, measured (rows differ by a border's pixel, and the grid may
    // have scrolled): the session's new first row, or its new last row when resizing.
    var first = rowAt(active.rows, active.start), half = rowHeight() / 2;
    if (active.mode === "resize") {
      var last = rowAtY(active.rows, event.clientY + press.toBottom - half);
      active.lengthDelta = last + 1 - first - active.length / STEP;
    } else {
      active.rowDelta = rowAtY(active.rows, event.clientY - press.fromTop + half) - first;
      var column = columnOf(active.cols, event.clientX);
      if (column >= 0) { active.columnDelta = column - active.column; }
    }
    show();
  });
  function release(event) {
    if (!press || event.pointerId !== press.id) { return; }
    press = null;
    if (!active) { return; }
    swallowClick = true; // the click that ends a drag doesn't open the booking
    if (event.type === "pointercancel") {
      reset();
      return;
    }
    var to = target();
    if (to.start === active.start && to.end - to.start === active.length && to.column === active.column) {
      reset();
      return;
    }
    save(false);
  }
  grid.addEventListener("pointerup", release);
  grid.addEventListener("pointercancel", release);
  grid.addEventListener("click", function (event) {
    if (swallowClick && event.target.closest(".booking-card")) { event.preventDefault(); }
    swallowClick = false;
  }, true);
  // The browser's own link dragging would steal the pointer.
  grid.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".booking-card[data-move-url]")) { event.preventDefault(); }
  });

  // Keys, on a focused card: arrows move (Shift with up/down: the length), Enter saves,
  // Escape puts it back. Each step says where the session would go.
  grid.addEventListener("keydown", function (event) {
    var card = event.target.closest(".booking-card[data-move-url]");
    if (!card) { return; }
    var key = event.key;
    if (key === "Escape" && active && active.card === card) {
      event.preventDefault();
      reset();
      say("Move cancelled: " + label(card) + " stays where it was.");
      return;
    }
    if (key === "Enter" && active && active.card === card) {
      event.preventDefault();
      var to = target();
      if (to.start === active.start && to.end - to.start === active.length && to.column === active.column) {
        reset();
        say("Nothing to save: " + label(card) + " is where it was.");
        return;
      }
      save(true);
      return;
    }
    var arrows = { ArrowUp: -1, ArrowDown: 1, ArrowLeft: -1, ArrowRight: 1 };
    if (!(key in arrows) || event.altKey || event.ctrlKey || event.metaKey) { return; }
    event.preventDefault();
    if (!active) { begin(card, "keys"); }
    if (active.card !== card) { return; }
    if (key === "ArrowLeft" || key === "ArrowRight") {
      active.columnDelta += arrows[key];
    } else if (event.shiftKey) {
      active.lengthDelta = Math.max(active.lengthDelta + arrows[key], 1 - active.length / STEP);
    } else {
      active.rowDelta += arrows[key];
    }
    var shown = show();
    card.scrollIntoView({ block: "nearest", inline: "nearest" });
    // Keep the stored steps inside the grid, so that going back takes as many presses.
    active.columnDelta = shown.column - active.column;
    active.rowDelta = (shown.start - active.start) / STEP;
    say(label(card) + ": " + where(shown) + ". Enter to save, Escape to cancel.");
  });
  grid.addEventListener("focusout", function (event) {
    if (active && active.mode === "keys" && event.target === active.card && !active.card.hasAttribute("aria-busy")) {
      reset();
      say("Move cancelled.");
    }
  });
})();

// The "now" line on today's day or week: across today's column(s), at the clinic's time
// (the server's clock when the page was drawn, advanced by this one), kept up to date.
(function () {
  "use strict";
  var grid = document.getElementById("calendar-grid");
  if (!grid || !grid.hasAttribute("data-now")) { return; }
  var stamp = grid.getAttribute("data-now").split(" ");
  var today = stamp[0];
  var hm = stamp[1].split(":");
  var drawnAt = Date.now();
  var drawnMinutes = parseInt(hm[0], 10) * 60 + parseInt(hm[1], 10);
  var line = document.createElement("div");
  line.className = "now-line";
  line.setAttribute("aria-hidden", "true");

  function place() {
    var minutes = drawnMinutes + Math.floor((Date.now() - drawnAt) / 60000);
    var rows = grid.querySelectorAll("tbody tr[data-time]");
    var cols = grid.querySelectorAll('thead th[data-day="' + today + '"]');
    var row = null, into = 0;
    Array.prototype.forEach.call(rows, function (candidate) {
      var parts = candidate.getAttribute("data-time").split(":");
      var at = parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
      if (at <= minutes && minutes < at + 15) { row = candidate; into = (minutes - at) / 15; }
    });
    if (!row || !cols.length || minutes >= 24 * 60) { line.remove(); return; }
    var box = grid.getBoundingClientRect(), rect = row.getBoundingClientRect();
    var left = cols[0].getBoundingClientRect().left, right = cols[cols.length - 1].getBoundingClientRect().right;
    line.style.top = (rect.top - box.top + grid.scrollTop + into * rect.height) + "px";
    line.style.left = (left - box.left + grid.scrollLeft) + "px";
    line.style.width = (right - left) + "px";
    if (line.parentNode !== grid) { grid.appendChild(line); }
  }
  place();
  window.setInterval(place, 60000);
  window.addEventListener("resize", place);
  document.addEventListener("calendar:updated", place);
})();

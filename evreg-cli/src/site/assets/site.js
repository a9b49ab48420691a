// The index's search and filters: rows hidden in place, the choice kept in
// the address (index.html?q=…&category=…) so that it can be shared.
"use strict";

(function () {
  const form = document.getElementById("filters");
  const table = document.getElementById("events");
  if (!form || !table) return;
  const rows = Array.from(table.tBodies[0].rows);
  const shown = document.getElementById("shown");
  const fields = ["q", "category", "owner", "status"].map((name) => form.elements.namedItem(name));
  const params = new URLSearchParams(window.location.search);
  for (const field of fields) {
    const value = params.get(field.name);
    if (value !== null) field.value = value;
  }

  function apply() {
    const words = fields[0].value.toLowerCase().split(/\s+/).filter(Boolean);
    const wanted = fields.slice(1).map((f) => [f.name, f.value]);
    let count = 0;
    for (const row of rows) {
      const text = row.dataset.text;
      const match =
        words.every((w) => text.includes(w)) &&
        wanted.every(([name, value]) => value === "" || row.dataset[name] === value);
      row.hidden = !match;
      if (match) count += 1;
    }
    shown.value = count + " of " + rows.length + (rows.length === 1 ? " event" : " events");
    const query = new URLSearchParams();
    for (const field of fields) if (field.value) query.set(field.name, field.value);
    const search = query.toString();
    const url = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
    window.history.replaceState(null, "", url);
  }

  form.addEventListener("input", apply);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    apply();
  });
  apply();
})();

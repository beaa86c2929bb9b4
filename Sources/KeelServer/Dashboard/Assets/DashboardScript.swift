extension DashboardAssets {
    /// The dashboard's only script: local times, live updates (server-sent events), the journal's
    /// JSON view, and checking JSON before a form is sent. Plain JavaScript, no build step.
    static let script = #"""
    "use strict";
    (function () {
      const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

      function localTimes(root) {
        root.querySelectorAll("time[datetime]").forEach((el) => {
          const date = new Date(el.getAttribute("datetime"));
          if (isNaN(date)) return;
          el.title = el.getAttribute("datetime");
          el.textContent = el.hasAttribute("data-precise")
            ? date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3 })
            : date.toLocaleString();
        });
      }

      function updateSelectionCount() {
        const count = document.querySelectorAll('input[name="run"][form="bulk"]:checked').length;
        const label = document.querySelector("[data-selection-count]");
        if (label) label.textContent = count + " selected";
      }

      function runsPage() {
        const table = document.getElementById("runs-table");
        if (!table) return;
        document.querySelectorAll("[data-timezone-offset]").forEach((el) => { el.value = String(new Date().getTimezoneOffset()); });
        const all = table.querySelector("[data-select-all]");
        if (all) all.addEventListener("change", () => {
          table.querySelectorAll('input[name="run"]').forEach((box) => { box.checked = all.checked; });
          updateSelectionCount();
        });
        table.addEventListener("change", (event) => { if (event.target.name === "run") updateSelectionCount(); });
        const url = table.getAttribute("data-live");
        if (!url || !window.EventSource) return;
        const source = new EventSource(url);
        source.addEventListener("run", (event) => {
          const update = JSON.parse(event.data);
          const body = document.getElementById("runs-body");
          const holder = document.createElement("tbody");
          holder.innerHTML = update.html.trim();
          const row = holder.firstElementChild;
          if (!row) return;
          const existing = document.getElementById("run-" + update.id);
          if (existing) {
            const box = existing.querySelector('input[name="run"]');
            if (box && box.checked) row.querySelector('input[name="run"]').checked = true;
            existing.replaceWith(row);
          } else {
            const empty = body.querySelector("tr.empty");
            if (empty) empty.remove();
            body.insertBefore(row, body.firstElementChild);
            row.classList.add("fresh");
          }
          localTimes(row);
        });
      }

      function showEntry(row) {
        document.querySelectorAll(".journal-entry.selected").forEach((el) => el.classList.remove("selected"));
        row.classList.add("selected");
        const pre = document.getElementById("entry-json");
        const title = document.getElementById("entry-title");
        if (pre) pre.textContent = row.getAttribute("data-json");
        if (title) title.textContent = "Entry " + row.getAttribute("data-sequence") + ": recorded JSON";
      }

      function journal() {
        document.addEventListener("click", (event) => {
          const row = event.target.closest(".journal-entry");
          if (row) showEntry(row);
        });
        document.addEventListener("keydown", (event) => {
          const row = event.target.closest && event.target.closest(".journal-entry");
          if (row && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); showEntry(row); }
        });
      }

      function livePanel() {
        const panel = document.getElementById("run-live");
        if (!panel) return;
        const url = panel.getAttribute("data-live");
        if (!url || !window.EventSource) return;
        let timer = null;
        const refresh = () => {
          // Leave a form the user is filling in alone; refresh once they are done.
          const active = document.activeElement;
          const editing = Array.from(panel.querySelectorAll("textarea")).some((area) => area.value !== area.defaultValue);
          if (editing || (active && panel.contains(active) && active.closest("form"))) { schedule(1000); return; }
          fetch(panel.getAttribute("data-panel"), { credentials: "same-origin" })
            .then((response) => response.ok ? response.text() : Promise.reject(response.status))
            .then((html) => {
              const selected = panel.querySelector(".journal-entry.selected");
              const sequence = selected && selected.getAttribute("data-sequence");
              const detail = document.getElementById("entry-json");
              const detailText = detail && detail.textContent;
              panel.innerHTML = html;
              localTimes(panel);
              bindJSONForms(panel);
              if (sequence) {
                const again = panel.querySelector('.journal-entry[data-sequence="' + sequence + '"]');
                if (again) showEntry(again);
              } else if (detailText && document.getElementById("entry-json")) {
                document.getElementById("entry-json").textContent = detailText;
              }
            })
            .catch(() => {});
        };
        const schedule = (delay) => { clearTimeout(timer); timer = setTimeout(refresh, delay); };
        const source = new EventSource(url);
        source.addEventListener("change", () => schedule(150));
        source.addEventListener("end", () => { source.close(); schedule(100); setTimeout(refresh, 1200); });
      }

      function jsonError(text) {
        try { JSON.parse(text); return null; } catch (error) { return error.message; }
      }

      function bindJSONForms(root) {
        root.querySelectorAll("form[data-json-form]").forEach((form) => {
          if (form.dataset.bound) return;
          form.dataset.bound = "1";
          form.addEventListener("submit", (event) => {
            const area = form.querySelector("textarea");
            const out = form.querySelector("[data-json-error]");
            const problem = jsonError(area.value);
            if (problem) {
              event.preventDefault();
              out.textContent = "Not valid JSON: " + problem;
              out.hidden = false;
            }
          });
        });
      }

      function rerunForm() {
        const form = document.getElementById("rerun-form");
        if (!form) return;
        const area = document.getElementById("rerun-input");
        const out = document.getElementById("rerun-error");
        const show = (message) => { out.textContent = message; out.hidden = false; area.setAttribute("aria-invalid", "true"); };
        area.addEventListener("input", () => { out.hidden = true; area.removeAttribute("aria-invalid"); });
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          const problem = jsonError(area.value);
          if (problem) { show("The input is not valid JSON: " + problem); return; }
          const body = new URLSearchParams({ _csrf: csrf(), input: area.value });
          fetch(form.getAttribute("data-validate"), { method: "POST", body, credentials: "same-origin", headers: { "X-CSRF-Token": csrf() } })
            .then((response) => response.json())
            .then((answer) => { if (answer.ok) form.submit(); else show(answer.error || "The input was refused."); })
            .catch((error) => show("Could not check the input: " + error));
        });
      }

      document.addEventListener("DOMContentLoaded", () => {
        localTimes(document);
        runsPage();
        journal();
        livePanel();
        bindJSONForms(document);
        rerunForm();
      });
    })();
    """#
}

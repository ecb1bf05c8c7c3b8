/* fieldroute's dispatcher page: upload, show problems, start a plan, watch it, show maps and downloads.
 * Plain JavaScript, no libraries. Every value from the server or the files is inserted with textContent,
 * never as markup. Messages come from the server's catalogue (the page-data block). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var M = data.messages;
  var POLL_MS = 600;
  var current = null; // the job being watched
  var finished = null; // the finished one-date plan that re-plan and suggest work on
  var timer = null;
  // The input problems in the page's language: [pattern, template with {1}, {2}...]; others stay in English.
  var PATTERNS = (data.problems || []).map(function (p) { return [new RegExp(p[0]), p[1]]; });

  function $(id) { return document.getElementById(id); }
  function t(key, values) {
    var text = M[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }
  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "" : String(value);
    row.appendChild(td);
    return td;
  }
  function show(id, visible) { $(id).hidden = !visible; }
  function clock(iso) { return iso ? String(iso).slice(11, 16) : "—"; }

  function message(text) {
    $("message").textContent = text;
    show("message", Boolean(text));
  }

  function translated(text) {
    for (var i = 0; i < PATTERNS.length; i++) {
      var found = PATTERNS[i][0].exec(String(text));
      if (found) {
        return PATTERNS[i][1].replace(/\{(\d+)\}/g, function (_, n) { return found[Number(n)] || ""; });
      }
    }
    return text;
  }

  function showProblems(problems, title) {
    var body = $("problems-table").querySelector("tbody");
    body.textContent = "";
    problems.forEach(function (p) {
      var row = document.createElement("tr");
      [p.file, p.row, p.column, p.value, translated(p.message)].forEach(function (v) { cell(row, v); });
      body.appendChild(row);
    });
    $("problems-title").textContent = t(title || "problems_title", { n: problems.length });
    show("problems", true);
  }

  function reset() {
    if (timer) { clearTimeout(timer); timer = null; }
    current = null;
    message("");
    ["problems", "job", "result", "during"].forEach(function (id) { show(id, false); });
  }

  /* A refused request: its problems (422) under `title`, or the status and message. */
  function apiError(response, body, title) {
    var error = (body && body.error) || {};
    if (response.status === 422 && error.problems) {
      showProblems(error.problems, title);
      if (title) { $("problems").scrollIntoView(); }  // above the plan, which stays: the form is corrected below
    } else {
      message(t("request_failed", { status: response.status, message: error.message || response.statusText }));
    }
  }

  function submit(event) {
    event.preventDefault();
    var form = new FormData($("plan-form"));
    if (!form.get("network")) { form.delete("network"); }
    start("/v1/plans", form, $("plan-button"));
  }

  function submitReplan(event) {
    event.preventDefault();
    if (!finished) { return; }
    var form = new FormData($("replan-form"));
    var file = form.get("new_cases");
    if (!file || !file.name) { form.delete("new_cases"); }
    start("/v1/plans/" + encodeURIComponent(finished) + "/replan", form, $("replan-button"), "replan_problems_title");
  }

  /* Post a form that creates a job, then watch the job.  With `keepTitle` (a re-plan) the finished plan, its
   * maps, downloads and the forms stay until the new job is accepted: a refused re-plan shows its problems
   * under that title, and the dispatcher corrects the form instead of planning the day again. */
  function start(url, form, button, keepTitle) {
    if (keepTitle) {
      message("");
      show("problems", false);
    } else {
      reset();
    }
    button.disabled = true;
    message(t("uploading"));
    fetch(url, { method: "POST", body: form, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          message("");
          if (!response.ok) { apiError(response, body, keepTitle); return; }
          if (keepTitle) { reset(); }
          current = body.id;
          show("job", true);
          poll();
        });
      })
      .catch(function (err) { message(t("network_error", { message: err.message })); })
      .finally(function () { button.disabled = false; });
  }

  function submitSuggest(event) {
    event.preventDefault();
    if (!finished) { return; }
    var fields = new FormData($("suggest-form"));
    var kase = {}, at = null;
    fields.forEach(function (value, key) {
      if (value === "") { return; }
      if (key === "at") { at = value; } else { kase[key] = value; }
    });
    $("suggest-button").disabled = true;
    show("suggest-none", false);
    show("suggest-table", false);
    message("");
    show("problems", false);
    fetch("/v1/plans/" + encodeURIComponent(finished) + "/suggest", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ "case": kase, k: 5, at: at })
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) { apiError(response, body, "suggest_problems_title"); return; }
          var tbody = $("suggest-table").querySelector("tbody");
          tbody.textContent = "";
          body.suggestions.forEach(function (p) {
            var row = document.createElement("tr");
            var eta = p.date === body.date ? p.eta : p.date + " " + p.eta;  // a week plan: another date
            [p.rank, p.agent_id, p.position, p.after_case === null ? t("first") : p.after_case, eta,
             Math.round(p.extra_travel_s / 60), p.day_end, p.pushes_out.join(", ")].forEach(function (v) {
              cell(row, v);
            });
            tbody.appendChild(row);
          });
          show("suggest-table", body.suggestions.length > 0);
          show("suggest-none", body.suggestions.length === 0);
        });
      })
      .catch(function (err) { message(t("network_error", { message: err.message })); })
      .finally(function () { $("suggest-button").disabled = false; });
  }

  function progressText(job) {
    var p = job.progress || {};
    var parts = [];
    if (p.phase && job.status === "running") { parts.push(t("phase_" + p.phase)); }
    if (p.elapsed_s !== undefined) { parts.push(t("elapsed", { s: p.elapsed_s })); }
    if (job.status === "running" && p.time_left_s !== undefined) { parts.push(t("time_left", { s: p.time_left_s })); }
    if (p.visits !== undefined) { parts.push(t("visits_placed", { n: p.visits })); }
    if (p.objective !== undefined && p.objective !== null) { parts.push(t("best_objective", { v: p.objective })); }
    return parts.join(" · ");
  }

  function poll() {
    var id = current;
    if (!id) { return; }
    fetch("/v1/plans/" + encodeURIComponent(id) + "?plan=false", { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return [response, body]; }); })
      .then(function (pair) {
        var response = pair[0], job = pair[1];
        if (id !== current) { return; }
        if (!response.ok) { apiError(response, job); return; }
        $("job-status").textContent = job.status === "queued"
          ? t("status_queued", { n: job.queue_position || 1 }) : t("status_" + job.status);
        $("job-status").setAttribute("data-status", job.status);
        $("job-progress").textContent = progressText(job);
        show("cancel-button", job.status === "queued" || job.status === "running");
        if (job.status === "done") { showResult(job); return; }
        if (job.status === "failed" && job.error) {
          if (job.error.problems) { showProblems(job.error.problems); }
          message(t("error") + ": " + job.error.message);
          return;
        }
        if (job.status === "queued" || job.status === "running") { timer = setTimeout(poll, POLL_MS); }
      })
      .catch(function (err) { message(t("network_error", { message: err.message })); });
  }

  function cancel() {
    if (!current) { return; }
    fetch("/v1/plans/" + encodeURIComponent(current), { method: "DELETE", credentials: "same-origin" })
      .then(function () { poll(); });
  }

  function showResult(job) {
    var s = job.summary;
    $("result-title").textContent = t("result_title", {
      visited: s.visited, cases: s.cases, used: s.agents_used, agents: s.agents, unassigned: s.unassigned
    });
    var note = [];
    if (job.options.replan_of) {
      note.push(t("replan_of", { id: job.options.replan_of.slice(0, 8), at: job.options.at }));
    }
    if (s.changes) {
      note.push(t("changes", { text: Object.keys(s.changes).map(function (k) { return k + " " + s.changes[k]; })
        .join(", ") }));
    }
    $("result-note").textContent = note.join(" · ");
    show("result-note", note.length > 0);
    var daysBody = $("days-table").querySelector("tbody");
    daysBody.textContent = "";
    (s.days || []).forEach(function (d) {
      var row = document.createElement("tr");
      [d.date, d.agents_used + "/" + d.agents, d.visits, d.late, Math.round(d.travel_s / 60),
       (d.travel_m / 1000).toFixed(1)].forEach(function (v) { cell(row, v); });
      daysBody.appendChild(row);
    });
    show("days-box", Boolean(s.days && s.days.length));
    var oneDate = !s.days;
    finished = oneDate ? job.id : null;
    show("during", oneDate);
    if (oneDate && !$("replan-at").value) {
      var now = new Date();
      $("replan-at").value = ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
    }
    fetch("/v1/plans/" + encodeURIComponent(job.id), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (full) {
        var body = $("summary-table").querySelector("tbody");
        body.textContent = "";
        ((full.plan && full.plan.summary) || []).forEach(function (r) {
          var row = document.createElement("tr");
          cell(row, r.date && s.days ? r.agent_id + " (" + r.date + ")" : r.agent_id);
          cell(row, r.visits);
          cell(row, Math.round(r.travel_s / 60));
          cell(row, (r.travel_m / 1000).toFixed(1));
          cell(row, clock(r.start));
          cell(row, clock(r.end));
          body.appendChild(row);
        });
      });
    var list = $("downloads");
    list.textContent = "";
    [["routes.csv", "dl_routes_csv"], ["routes.xlsx", "dl_routes_xlsx"], ["maps.zip", "dl_maps_zip"],
     ["plan.json", "dl_plan_json"], ["days.csv", "dl_days_csv"], ["changes.csv", "dl_changes_csv"],
     ["moves.csv", "dl_moves_csv"]].forEach(function (pair) {
      if (!job.files[pair[0]]) { return; }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = job.files[pair[0]];
      link.setAttribute("download", "");
      link.id = "download-" + pair[0].replace(".", "-");
      link.textContent = t(pair[1]);
      item.appendChild(link);
      list.appendChild(item);
    });
    var select = $("map-select");
    select.textContent = "";
    job.maps.forEach(function (m) {
      var option = document.createElement("option");
      option.value = m.url;
      option.textContent = m.agent_id === null ? t("overview") : m.agent_id + " (" + m.date + ")";
      select.appendChild(option);
    });
    if (job.maps.length) { $("map-frame").src = job.maps[0].url; }
    show("result", true);
  }

  function dropZone(name) {
    var zone = $("drop-" + name), input = $(name), label = $(name + "-name");
    function update() { label.textContent = input.files.length ? input.files[0].name : t("drop_here"); }
    input.addEventListener("change", update);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; update(); }
    });
  }

  dropZone("cases");
  dropZone("agents");
  $("plan-form").addEventListener("submit", submit);
  $("replan-form").addEventListener("submit", submitReplan);
  $("suggest-form").addEventListener("submit", submitSuggest);
  $("cancel-button").addEventListener("click", cancel);
  $("map-select").addEventListener("change", function () { $("map-frame").src = this.value; });
}());

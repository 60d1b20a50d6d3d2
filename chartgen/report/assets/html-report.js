// chartgen HTML matrix report: builds the page from the JSON embedded in #report-data.
// Plain DOM, no library, no network. Everything the page shows comes from that data.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const root = document.getElementById("report");
  const LEVELS = ["error", "warning", "info"];
  const RANK = { error: 3, warning: 2, info: 1 };
  const LETTER = { error: "E", warning: "W", info: "I", clean: "·", none: "–" };
  const WILDCARD = new Set(["", "*"]);
  const ALL_SCENARIOS = "all scenarios";
  const PAGE_SIZE = 50;

  // --- small DOM helper -------------------------------------------------------------------------
  function h(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }
  const plural = (count, noun) => `${count} ${noun}${count === 1 ? "" : "s"}`;
  const levelBadge = (level) => h("span", { className: `badge lv-${level}` }, level);

  // --- index the run: rows, columns, cells ------------------------------------------------------
  const summary = data.summary;
  const versions = [...summary.kube_versions];
  const evaluated = new Set(data.evaluated.map(([s, v]) => `${s}\u0000${v}`));
  const scenarios = [...new Set(data.evaluated.map(([s]) => s))];
  const checkInfo = (id) => data.checks[id] || { id, code: "", family: "other", level: "", description: "", remediation: "" };
  const checkIds = [...new Set([...Object.keys(data.checks), ...data.findings.map((f) => f.check)])].sort();
  const families = [...new Set(checkIds.map((id) => checkInfo(id).family))].sort();

  const findings = data.findings.map((finding, index) => ({ ...finding, index }));
  const cells = new Map(); // "scenario\0check" -> {findings: [...], byVersion: {version: rank}}
  const cellOf = (row, check) => {
    const key = `${row}\u0000${check}`;
    if (!cells.has(key)) cells.set(key, { findings: [], byVersion: {} });
    return cells.get(key);
  };
  for (const finding of findings) {
    const touched = new Set();
    for (const [scenario, version] of finding.where) {
      const row = WILDCARD.has(scenario) ? ALL_SCENARIOS : scenario;
      if (!scenarios.includes(row)) scenarios.push(row);
      const cell = cellOf(row, finding.check);
      if (!touched.has(cell)) cell.findings.push(finding);
      touched.add(cell);
      for (const v of WILDCARD.has(version) ? versions : [version]) {
        if (!versions.includes(v)) versions.push(v);
        cell.byVersion[v] = Math.max(cell.byVersion[v] || 0, RANK[finding.level] || 0);
      }
    }
  }
  const levelOfRank = (rank) => LEVELS.find((level) => RANK[level] === rank);

  // --- state, changed by the controls -----------------------------------------------------------
  const state = {
    family: "",
    levels: new Set(LEVELS),
    onlyFailing: findings.length > 0,
    rowOrder: "name",
    columnOrder: "check",
    selected: null, // {row, check}
  };
  const shown = (finding) => state.levels.has(finding.level) && (!state.family || checkInfo(finding.check).family === state.family);
  const cellFindings = (row, check) => (cells.get(`${row}\u0000${check}`)?.findings || []).filter(shown);
  const worstRank = (list) => Math.max(0, ...list.map((f) => RANK[f.level] || 0));

  // --- header -------------------------------------------------------------------------------------
  function header() {
    const failed = summary.errors > 0;
    const counts = `${plural(summary.errors, "error")}, ${plural(summary.warnings, "warning")}, ${plural(summary.infos, "info")} (${summary.suppressed} suppressed)`;
    const invariant = (name, value) => h("li", { "data-invariant": name }, h("b", {}, value), name);
    return h("header", {},
      h("h1", {}, "chartgen lint matrix",
        h("span", { className: `verdict ${failed ? "failed" : "passed"}`, id: "verdict" }, failed ? "FAILED" : "PASSED"),
        h("span", { className: "muted", style: "font-size:1rem;font-weight:400" }, counts)),
      h("ul", { className: "invariants", "aria-label": "Invariants of the run" },
        ["scenarios", "renders", "documents", "checks", "skipped"].map((name) => invariant(name, summary[name])),
        invariant("Kubernetes versions", versions.join(", ") || "none")),
      data.notes.length ? h("ul", { className: "notes", "aria-label": "Notes" }, data.notes.map((note) => h("li", {}, note))) : null);
  }

  // --- controls -----------------------------------------------------------------------------------
  function controls() {
    const dropdown = (label, id, options, value, onChange) =>
      h("label", {}, `${label} `, h("select", { id, onchange: (event) => onChange(event.target.value) },
        options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value }, text))));
    const levelBoxes = LEVELS.map((level) => h("label", {},
      h("input", { type: "checkbox", name: "level", value: level, checked: true,
        onchange: (event) => { event.target.checked ? state.levels.add(level) : state.levels.delete(level); refresh(); } }),
      ` ${level}`));
    return h("div", { className: "controls", role: "group", "aria-label": "Filter and sort" },
      dropdown("Family", "filter-family", [["", "all families"], ...families.map((f) => [f, f])], state.family,
        (value) => { state.family = value; refresh(); }),
      h("fieldset", {}, h("legend", {}, "Levels"), levelBoxes),
      h("label", {}, h("input", { type: "checkbox", id: "only-failing", checked: state.onlyFailing,
        onchange: (event) => { state.onlyFailing = event.target.checked; refresh(); } }), " only checks and scenarios with findings"),
      dropdown("Rows", "sort-rows", [["name", "by scenario"], ["worst", "worst first"]], state.rowOrder,
        (value) => { state.rowOrder = value; refresh(); }),
      dropdown("Columns", "sort-columns", [["check", "by check"], ["family", "by family"], ["worst", "worst first"]], state.columnOrder,
        (value) => { state.columnOrder = value; refresh(); }));
  }

  // --- the grid -----------------------------------------------------------------------------------
  function gridAxes() {
    let columns = checkIds.filter((id) => !state.family || checkInfo(id).family === state.family);
    const columnFindings = new Map(columns.map((id) => [id, scenarios.flatMap((row) => cellFindings(row, id))]));
    const rowFindings = new Map(scenarios.map((row) => [row, columns.flatMap((id) => cellFindings(row, id))]));
    let rows = [...scenarios];
    if (state.onlyFailing) {
      columns = columns.filter((id) => columnFindings.get(id).length);
      rows = rows.filter((row) => rowFindings.get(row).length);
    }
    const byWorst = (table) => (a, b) => worstRank(table.get(b)) - worstRank(table.get(a)) || table.get(b).length - table.get(a).length;
    if (state.rowOrder === "worst") rows.sort((a, b) => byWorst(rowFindings)(a, b) || a.localeCompare(b));
    else rows.sort((a, b) => (a === ALL_SCENARIOS) - (b === ALL_SCENARIOS) || a.localeCompare(b));
    if (state.columnOrder === "family") columns.sort((a, b) => checkInfo(a).family.localeCompare(checkInfo(b).family) || a.localeCompare(b));
    if (state.columnOrder === "worst") columns.sort((a, b) => byWorst(columnFindings)(a, b) || a.localeCompare(b));
    return { rows, columns };
  }

  function cellButton(row, check, rowIndex, columnIndex) {
    const list = cellFindings(row, check);
    const marks = versions.map((version) => {
      const ran = row === ALL_SCENARIOS || evaluated.has(`${row}\u0000${version}`);
      const rank = Math.max(0, ...list.filter((f) => f.where.some(([s, v]) =>
        (WILDCARD.has(s) ? ALL_SCENARIOS : s) === row && (WILDCARD.has(v) || v === version))).map((f) => RANK[f.level]));
      const level = rank ? levelOfRank(rank) : ran ? "clean" : "none";
      return { version, level };
    });
    const worst = worstRank(list);
    const label = `${row} × ${check}: ` + (list.length
      ? `${plural(list.length, "finding")}; ` + marks.map((m) => `${m.version} ${m.level === "none" ? "not run" : m.level}`).join(", ")
      : "clean");
    const selected = state.selected && state.selected.row === row && state.selected.check === check;
    // A cell clean at every version is one mark: most cells of a healthy run, so far fewer elements.
    const allClean = marks.every((m) => m.level === "clean");
    return h("button", {
      type: "button", className: allClean ? "cell mark lv-clean" : "cell", tabindex: rowIndex === 0 && columnIndex === 0 ? "0" : "-1",
      "data-row": row, "data-check": check, "data-level": worst ? levelOfRank(worst) : "clean",
      "aria-label": label, title: label, "aria-pressed": selected ? "true" : "false",
    }, allClean
      ? marks.map((m) => LETTER[m.level]).join(" ")
      : marks.map((m) => h("span", { className: `mark lv-${m.level}`, "aria-hidden": "true" }, LETTER[m.level])));
  }

  function grid() {
    const { rows, columns } = gridAxes();
    if (!rows.length || !columns.length) {
      return h("p", { id: "grid-empty" }, findings.length ? "No finding matches the filters." : "No findings: every scenario passed every check.");
    }
    const head = h("tr", {}, h("th", { className: "corner", scope: "col" }, "scenario \\ check"),
      columns.map((id) => h("th", { className: "check", scope: "col", title: `${checkInfo(id).code} ${id}: ${checkInfo(id).description}` },
        id, " ", h("span", { className: "family-tag" }, checkInfo(id).family))));
    const body = rows.map((row, rowIndex) => h("tr", {}, h("th", { scope: "row" }, row),
      columns.map((check, columnIndex) => h("td", {}, cellButton(row, check, rowIndex, columnIndex)))));
    return h("div", { className: "grid-wrap" },
      h("table", { className: "grid", id: "grid", "aria-label": "Scenarios by checks", onkeydown: moveFocus, onclick: openCell },
        h("thead", {}, head), h("tbody", {}, body)));
  }

  // One listener for the whole grid rather than one per cell.
  function openCell(event) {
    const button = event.target.closest("button.cell");
    if (button) select(button.dataset.row, button.dataset.check);
  }

  // Arrow keys move between cells (one tab stop for the whole grid); Enter or Space opens a cell.
  function moveFocus(event) {
    const steps = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };
    const cell = event.target.closest("td");
    if (!steps[event.key] || !cell) return;
    const [down, right] = steps[event.key];
    const rows = [...event.currentTarget.tBodies[0].rows];
    const rowIndex = rows.indexOf(cell.parentElement) + down;
    const columnIndex = cell.cellIndex + right;
    const target = rows[rowIndex]?.cells[columnIndex]?.querySelector("button");
    if (!target) return;
    event.preventDefault();
    event.target.tabIndex = -1;
    target.tabIndex = 0;
    target.focus();
  }

  // --- findings -----------------------------------------------------------------------------------
  function describeObject(f) {
    const subject = [f.kind, f.name].filter(Boolean).join("/");
    return f.path ? (subject ? `${subject} at ${f.path}` : `at ${f.path}`) : subject;
  }
  function describeWhere(pairs) {
    const byScenario = new Map();
    for (const [scenario, version] of pairs) {
      const name = WILDCARD.has(scenario) ? ALL_SCENARIOS : scenario;
      if (!byScenario.has(name)) byScenario.set(name, []);
      if (!WILDCARD.has(version)) byScenario.get(name).push(version);
    }
    return [...byScenario].map(([name, vs]) => (vs.length ? `${name} @ ${vs.join(", ")}` : name)).join("; ");
  }
  function findingItem(f, pairs) {
    const info = checkInfo(f.check);
    const location = f.template ? (f.line ? `${f.template}:${f.line}` : f.template) : "";
    const object = describeObject(f);
    return h("li", { className: `finding lv-${f.level}`, "data-check": f.check },
      h("p", {}, levelBadge(f.level), " ", h("code", {}, `${f.code || info.code} ${f.check}`)),
      h("p", { className: "message" }, f.message),
      object ? h("p", {}, "Object: ", h("code", {}, object)) : null,
      location ? h("p", {}, "Template: ", h("code", { className: "location" }, location)) : null,
      h("p", { className: "muted" }, "In: ", describeWhere(pairs)),
      info.remediation ? h("p", { className: "muted" }, "Fix: ", info.remediation) : null);
  }

  // A list drawn one page at a time, so a cell or a run with thousands of findings stays quick.
  function pagedList(id, items, draw, label) {
    const container = h("div", { id });
    let page = 0;
    const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
    const list = h("ol", { style: "list-style:none;padding:0", "aria-label": label });
    const status = h("span", { "aria-live": "polite" });
    const previous = h("button", { type: "button", className: "page", onclick: () => show(page - 1) }, "← previous");
    const next = h("button", { type: "button", className: "page", onclick: () => show(page + 1) }, "next →");
    function show(number) {
      page = Math.min(Math.max(0, number), pages - 1);
      list.replaceChildren(...items.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map(draw));
      status.textContent = `${items.length ? page * PAGE_SIZE + 1 : 0}–${Math.min(items.length, (page + 1) * PAGE_SIZE)} of ${items.length}`;
      previous.disabled = page === 0;
      next.disabled = page === pages - 1;
    }
    show(0);
    if (pages > 1) container.append(h("div", { className: "pager" }, previous, status, next));
    container.append(list);
    return container;
  }

  function select(row, check) {
    state.selected = { row, check };
    for (const button of document.querySelectorAll("button.cell[aria-pressed='true']")) button.setAttribute("aria-pressed", "false");
    const button = [...document.querySelectorAll("button.cell")].find((b) => b.dataset.row === row && b.dataset.check === check);
    if (button) button.setAttribute("aria-pressed", "true");
    drawDetails();
  }

  function drawDetails() {
    const details = document.getElementById("details");
    if (!state.selected) return details.replaceChildren();
    const { row, check } = state.selected;
    const list = cellFindings(row, check);
    const info = checkInfo(check);
    const inRow = (f) => f.where.filter(([s]) => (WILDCARD.has(s) ? ALL_SCENARIOS : s) === row);
    details.replaceChildren(
      h("h2", {}, `${row} × ${check}`), " ", h("span", { className: "muted" }, `${info.code} · ${info.family} · ${info.description}`),
      list.length
        ? pagedList("details-findings", list, (f) => findingItem(f, inRow(f)), `Findings of ${row} × ${check}`)
        : h("p", {}, "No findings: this scenario passes this check."));
  }

  function allFindings() {
    const list = findings.filter(shown);
    return h("details", { className: "section", id: "findings", open: list.length <= 200 },
      h("summary", {}, h("h2", {}, `All findings (${list.length} distinct)`)),
      list.length ? pagedList("findings-list", list, (f) => findingItem(f, f.where), "All findings") : h("p", {}, "None."));
  }

  // --- summaries ----------------------------------------------------------------------------------
  // A table whose column headers sort it (numbers largest first, text alphabetically).
  function sortableTable(id, columns, rows) {
    const body = h("tbody", {});
    const draw = (ordered) => body.replaceChildren(...ordered.map((cellsOfRow) =>
      h("tr", {}, cellsOfRow.map((value, i) => h("td", { className: columns[i].numeric ? "num" : "" }, value)))));
    const sortBy = (index) => {
      const numeric = columns[index].numeric;
      draw([...rows].sort((a, b) => (numeric ? b[index] - a[index] : String(a[index]).localeCompare(String(b[index])))));
      table.querySelectorAll("th").forEach((th, i) => th.setAttribute("aria-sort", i === index ? (numeric ? "descending" : "ascending") : "none"));
    };
    const table = h("table", { className: "summary", id },
      h("thead", {}, h("tr", {}, columns.map((column, index) =>
        h("th", { scope: "col", className: column.numeric ? "num" : "" }, h("button", { type: "button", onclick: () => sortBy(index) }, column.name))))),
      body);
    draw(rows);
    return table;
  }

  function perCheck() {
    const rows = checkIds.filter((id) => !state.family || checkInfo(id).family === state.family).map((id) => {
      const list = findings.filter((f) => f.check === id && shown(f));
      const hitScenarios = new Set(list.flatMap((f) => f.where.map(([s]) => s)));
      const worst = worstRank(list);
      return [id, checkInfo(id).code, checkInfo(id).family, worst ? levelOfRank(worst) : "clean", list.length,
        list.reduce((sum, f) => sum + f.where.length, 0), hitScenarios.size];
    }).filter((row) => !state.onlyFailing || row[4] > 0);
    const columns = [{ name: "check" }, { name: "code" }, { name: "family" }, { name: "worst" },
      { name: "findings", numeric: true }, { name: "occurrences", numeric: true }, { name: "scenarios", numeric: true }];
    return h("details", { className: "section", id: "per-check", open: true },
      h("summary", {}, h("h2", {}, `Per check (${rows.length})`)), sortableTable("per-check-table", columns, rows));
  }

  function perTemplate() {
    const byTemplate = new Map();
    for (const f of findings.filter(shown)) {
      const template = f.template || "(no template)";
      if (!byTemplate.has(template)) byTemplate.set(template, [template, 0, 0, 0, 0]);
      const row = byTemplate.get(template);
      row[1 + LEVELS.indexOf(f.level)] += 1;
      row[4] += f.where.length;
    }
    const columns = [{ name: "template" }, { name: "errors", numeric: true }, { name: "warnings", numeric: true },
      { name: "infos", numeric: true }, { name: "occurrences", numeric: true }];
    const rows = [...byTemplate.values()].sort((a, b) => a[0].localeCompare(b[0]));
    return h("details", { className: "section", id: "per-template", open: true },
      h("summary", {}, h("h2", {}, `Per template (${rows.length})`)),
      rows.length ? sortableTable("per-template-table", columns, rows) : h("p", {}, "No findings."));
  }

  // --- coverage -----------------------------------------------------------------------------------
  function coverage() {
    if (!data.coverage) return null;
    const byTemplate = new Map();
    for (const branch of data.coverage) {
      if (!byTemplate.has(branch.template)) byTemplate.set(branch.template, []);
      byTemplate.get(branch.template).push(branch);
    }
    const reached = data.coverage.filter((b) => b.scenarios.length).length;
    const templates = [...byTemplate].map(([template, branches]) => {
      const missing = branches.filter((b) => !b.scenarios.length).length;
      return h("details", { open: missing > 0, "data-template": template },
        h("summary", {}, h("code", {}, template), ` — ${branches.length - missing} of ${branches.length} branches covered`,
          missing ? h("span", { className: "badge lv-error" }, ` ${missing} not covered`) : null),
        h("ul", { className: "branches" }, branches.map((b) => h("li", { "data-covered": b.scenarios.length ? "yes" : "no" },
          h("span", { className: "mono" }, `line ${b.line}`),
          h("span", { className: `badge ${b.scenarios.length ? "lv-clean" : "lv-error"}` }, b.scenarios.length ? "covered" : "not covered"),
          h("code", {}, `{{ ${b.action} }}`),
          h("span", { className: "reach" }, b.scenarios.length ? `reached by ${plural(b.scenarios.length, "scenario")}: ${b.scenarios.join(", ")}` : "reached by no scenario")))));
    });
    return h("details", { className: "section", id: "coverage", open: true },
      h("summary", {}, h("h2", {}, `Template branch coverage: ${reached} of ${data.coverage.length} branches reached`)),
      templates);
  }

  // --- drawing ------------------------------------------------------------------------------------
  function refresh() {
    document.getElementById("grid-slot").replaceChildren(grid());
    document.getElementById("summaries").replaceChildren(perCheck(), perTemplate(), allFindings());
    drawDetails();
  }

  root.append(
    header(),
    h("section", { id: "matrix" },
      h("h2", {}, "Scenarios × checks"),
      controls(),
      h("p", { className: "legend" },
        `Each cell has one mark per Kubernetes version (${versions.join(", ")}): `,
        "E error, W warning, I info, · clean, – not run. Arrow keys move between cells; Enter shows a cell's findings."),
      h("div", { id: "grid-slot" }),
      h("div", { id: "details", "aria-live": "polite" })),
    h("div", { id: "summaries" }),
    coverage());
  refresh();
  // Printing shows every section opened.
  window.addEventListener("beforeprint", () => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
})();

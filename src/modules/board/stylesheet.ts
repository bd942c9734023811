/**
 * The board's one stylesheet, served at /board.css (a module, so the compiled build carries it
 * with no copy step). Chinese text takes the system's CJK fonts: Noto Sans CJK SC where Debian's
 * fonts-noto-cjk is installed, the platform's own elsewhere.
 */
export const STYLESHEET = `
:root { --ink: #1b1f24; --muted: #4f5966; --line: #d0d7de; --red: #b3261e; --amber: #8a5a00; --green: #1e6b34; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", system-ui, sans-serif; }
a { color: var(--accent); }
.masthead { display: flex; flex-wrap: wrap; gap: 1rem; justify-content: space-between; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); }
.masthead nav { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.brand { font-weight: 700; text-decoration: none; color: var(--ink); }
main { padding: 0 1.2rem 2rem; max-width: 80rem; }
h1 { font-size: 1.5rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta, .note { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; color: var(--muted); padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; vertical-align: top; text-align: left; }
thead th { background: #f3f5f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.text { min-width: 18rem; }
tr.depth-1 td.text { padding-left: 1.5rem; } tr.depth-2 td.text { padding-left: 2.5rem; }
tr.depth-3 td.text { padding-left: 3.5rem; } tr.depth-4 td.text { padding-left: 4.5rem; }
.status, .health, .flag { display: inline-block; padding: 0 .4rem; border-radius: .2rem; border: 1px solid currentColor; font-size: .9em; white-space: nowrap; }
.health-red, .flag { color: var(--red); } .health-amber { color: var(--amber); } .health-green { color: var(--green); }
.status-verified, .status-completed { color: var(--green); } .status-delayed { color: var(--red); }
.filters { border: 1px solid var(--line); padding: .5rem .8rem; margin-bottom: 1rem; }
.filter { margin: .2rem 0; } .filter a, .filter strong { margin-right: .6rem; }
.filter-name { display: inline-block; min-width: 6rem; color: var(--muted); }
blockquote.verbatim { margin: 1rem 0; padding: .6rem 1rem; border-left: 4px solid var(--line); background: #f8f9fa; white-space: pre-wrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.units a { margin-right: .6rem; }
ul.changes { margin: .2rem 0 0; padding-left: 1.1rem; }
table.history td:nth-child(4) { min-width: 10rem; }
.error { color: var(--red); }
form.inline { display: inline; }
form.sign-in { display: grid; gap: .5rem; max-width: 24rem; }
input, button { font: inherit; padding: .3rem .5rem; }
.chart svg { width: 100%; max-width: 40rem; height: auto; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .tick { font-size: 11px; fill: var(--muted); }
.chart .series-total { stroke: var(--muted); stroke-width: 2; stroke-dasharray: 4 3; }
.chart .series-done { stroke: var(--green); stroke-width: 3; }
.key { display: inline-block; width: 1.2rem; height: .3rem; margin: 0 .3rem .2rem; vertical-align: middle; }
.key-total { background: var(--muted); } .key-done { background: var(--green); }
@media print {
  .masthead nav, .filters, form { display: none; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  table { page-break-inside: auto; } tr { page-break-inside: avoid; }
  section { page-break-inside: avoid; }
  @page { margin: 15mm; }
}
`;

/** The tab's icon: a seal-red square with 督, served from here so the browser asks for no favicon.ico that is not there. */
export const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="4" fill="#b3261e"/><text x="16" y="23" font-size="20" text-anchor="middle" fill="#fff">督</text></svg>';

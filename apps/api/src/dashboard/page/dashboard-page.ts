/**
 * The dashboard page: markup and styles, no build step. Its behaviour is /manage/dashboard.js
 * (dashboard-script.ts). Kept in a TypeScript module, not an .html file, so that the compiled app
 * (dist/, the Docker image) carries it without a copy step.
 */
export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DANE dashboard</title>
<style>
  :root { --fg: #1d232b; --muted: #687385; --line: #e3e7ee; --bg: #f6f8fb; --card: #fff;
          --done: #1f8a4c; --person: #c0362c; --waiting: #b7791f; --flight: #2463c7; --auto: #6b7280; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; align-items: center; gap: 12px; padding: 12px 20px; background: #13202f; color: #fff; }
  header h1 { font-size: 17px; margin: 0; font-weight: 600; }
  header .spacer { flex: 1; }
  .pill { border-radius: 999px; padding: 2px 10px; font-size: 12px; background: #56616f; }
  .pill.live { background: var(--done); }
  .pill.down { background: var(--person); }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 20px; }
  section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  h2 small { color: var(--muted); font-weight: normal; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-weight: 600; color: var(--muted); font-size: 12px; white-space: nowrap; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.zero { color: #c3c9d2; }
  .st-done { color: var(--done); } .st-needs_person { color: var(--person); } .st-waiting { color: var(--waiting); } .st-cancelled { color: var(--muted, #888); text-decoration: line-through; }
  .st-in_flight { color: var(--flight); } .st-runs_automatically { color: var(--auto); }
  .big { font-size: 28px; font-weight: 600; font-variant-numeric: tabular-nums; }
  .muted { color: var(--muted); }
  .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  .row { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; }
  svg.spark { background: #fbfcfe; border: 1px solid var(--line); border-radius: 4px; }
  svg.spark polyline { fill: none; stroke: var(--flight); stroke-width: 1.5; }
  button { font: inherit; font-size: 12px; padding: 2px 8px; border: 1px solid #c9d1dc; border-radius: 4px; background: #fff; cursor: pointer; }
  button:hover { background: #eef3fa; }
  input[type=text] { font: inherit; padding: 4px 8px; border: 1px solid #c9d1dc; border-radius: 4px; width: 28em; max-width: 100%; }
  .error { color: var(--person); }
  .banner { grid-column: 1 / -1; background: #fdecea; color: var(--person); border: 1px solid #f5c2bd; border-radius: 8px; padding: 8px 12px; }
  pre { margin: 4px 0; white-space: pre-wrap; word-break: break-word; background: #fbfcfe; padding: 6px; border-radius: 4px; }
  #toast { position: fixed; right: 16px; bottom: 16px; max-width: 480px; background: #13202f; color: #fff; padding: 8px 12px; border-radius: 6px; opacity: 0; transition: opacity .2s; }
  #toast.show { opacity: .95; }
  #toast.bad { background: var(--person); }
  #key-form { display: flex; align-items: center; gap: 6px; }
  #key-form label { font-size: 12px; color: #c3cbd6; }
  #key-form input { font: inherit; font-size: 12px; padding: 2px 6px; border: 1px solid #56616f; border-radius: 4px; width: 16em; background: #1d2d40; color: #fff; }
  #key-form button { background: #1d2d40; color: #fff; border-color: #56616f; }
  #key-form button:hover { background: #2a3d55; }
  #key-state { font-size: 12px; color: #c3cbd6; }
  #auth-error { display: flex; gap: 12px; align-items: flex-start; }
  #auth-error span { flex: 1; }
  #auth-error button { flex: none; }
  #events-list { list-style: none; margin: 0; padding: 0; max-height: 360px; overflow-y: auto; }
  #events-list li { display: flex; gap: 10px; padding: 2px 0; border-bottom: 1px solid var(--line); white-space: nowrap; }
  #events-list li .ev-route { min-width: 16em; }
  #events-list li .ev-msg { overflow: hidden; text-overflow: ellipsis; }
  #workers-view h3 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); font-weight: 600; }
  #workers-view h3:first-child { margin-top: 0; }
  #campaigns-table progress { width: 140px; height: 10px; vertical-align: middle; }
  #campaigns-table td[data-field="progress"], #campaigns-table .actions { white-space: nowrap; }
  #campaigns-table .cp-text { margin-left: 6px; font-size: 12px; color: var(--muted); white-space: nowrap; }
  .cs-running { color: var(--flight); } .cs-paused { color: var(--waiting); } .cs-done { color: var(--done); } .cs-cancelled { color: var(--muted); text-decoration: line-through; }
  /* Without an accepted key there is nothing to show but the refusal: no empty tables, no zeros. */
  main.refused > section { display: none !important; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>DANE</h1><span class="muted">tasks, live</span>
  <span class="spacer"></span>
  <form id="key-form" autocomplete="off" title="An API key (dane_…): reads go through a dane_key cookie, actions send it as Authorization: Bearer">
    <label for="api-key">API key</label>
    <input id="api-key" type="password" placeholder="dane_…" autocomplete="off" spellcheck="false">
    <button id="key-use" type="submit">Use</button>
    <button id="key-clear" type="button">Clear</button>
    <span id="key-state">no key</span>
  </form>
  <span id="updated" class="muted"></span>
  <span id="conn" class="pill">connecting…</span>
</header>
<main id="content">
  <div id="auth-error" class="banner" role="alert" hidden><span id="auth-error-text"></span><button id="auth-error-close" type="button">Dismiss</button></div>
  <div id="store-error" class="banner" hidden></div>

  <section id="throughput">
    <h2>Throughput <small>tasks completed per second</small></h2>
    <div class="row">
      <div><span id="rate" class="big">–</span> <span class="muted">/s</span></div>
      <svg id="sparkline" class="spark" width="300" height="48" viewBox="0 0 300 48" preserveAspectRatio="none" aria-label="throughput over the last minute"><polyline points=""></polyline></svg>
      <div><span id="total-tasks" class="big">–</span> <span class="muted">tasks</span></div>
    </div>
  </section>

  <section id="workers">
    <h2>Worker queues <small id="workers-where">RabbitMQ, this deployment</small></h2>
    <div id="workers-view" class="muted">loading…</div>
  </section>

  <section id="counts" class="wide">
    <h2>Tasks by key and state</h2>
    <table id="counts-table"><thead></thead><tbody></tbody></table>
    <p id="counts-empty" class="muted">No tasks yet.</p>
  </section>

  <section id="attention" class="wide">
    <h2>Needs attention <small id="attention-total"></small></h2>
    <table id="attention-table">
      <thead><tr><th>task</th><th>key</th><th>state</th><th>message</th><th>updated</th><th>document</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="attention-empty" class="muted">Nothing waits for a person.</p>
  </section>

  <section id="campaigns" class="wide">
    <h2>Campaigns <small id="campaigns-total"></small></h2>
    <table id="campaigns-table">
      <thead><tr><th>campaign</th><th>key</th><th>action</th><th>status</th><th>progress</th><th class="num">matched</th><th class="num">done</th><th class="num">failed</th><th class="num">cancelled</th><th class="num">in flight</th><th class="num">rate</th><th class="num">ETA</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="campaigns-note" class="muted">loading…</p>
  </section>

  <section id="live-events" class="wide">
    <h2>Live events <small>DANE-events of every replica, newest first</small></h2>
    <ol id="events-list" class="mono"></ol>
    <p id="events-empty" class="muted">No events since this page opened.</p>
  </section>

  <section id="document" class="wide">
    <h2>Document</h2>
    <form id="doc-form" class="row">
      <input id="doc-id" type="text" placeholder="document id (40 hex characters)" autocomplete="off" spellcheck="false">
      <button type="submit">Show</button>
    </form>
    <div id="doc-view"></div>
  </section>
</main>
<div id="toast" role="status" aria-live="polite"></div>
<script src="/manage/dashboard.js"></script>
</body>
</html>
`;

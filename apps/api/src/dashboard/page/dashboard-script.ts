/**
 * The dashboard's browser script (vanilla JS, no build step), served as /manage/dashboard.js.
 * It listens to /manage/events (snapshots as plain messages, DANE-events as `dane-event` ones) and
 * calls the ordinary REST routes for actions and documents, /manage/api/queues for the queues.
 * State codes, names and classes come from each snapshot, never from this file.
 * Written without template literals: the whole script is one String.raw literal.
 *
 * While the API refuses the page's reads (no key, a revoked one) the page shows the refusal alone:
 * the data sections are hidden, not left showing zeros or stale numbers beside it.
 *
 * API keys: the key typed into the header is kept in localStorage and copied into the `dane_key`
 * cookie (path /, SameSite=Strict), which the API accepts on read routes only: the event stream
 * (EventSource cannot send headers) and every GET ride on it. Actions (POST retry/forceretry/reset/cancel)
 * send the key itself as `Authorization: Bearer`, as the cookie never authorises a change.
 *
 * Campaigns: GET /DANE/campaigns/ every CAMPAIGNS_POLL_MS (and after a click), Pause / Resume / Cancel through
 * POST /DANE/campaigns/<id>/<action> (operate role). A store without campaigns (Elasticsearch) answers 501: the
 * panel says so once and stops asking.
 */
export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var WORKERS_POLL_MS = 10000;
  var CAMPAIGNS_POLL_MS = 2000;
  var CAMPAIGNS_SHOWN = 20;
  var RECONNECT_MS = 3000;
  var MAX_EVENTS = 50;
  var KEY_STORAGE = 'dane.apiKey';
  var KEY_COOKIE = 'dane_key';
  // HTTP statuses of a missing or too weak key (not task states: those come with each snapshot).
  var HTTP_STATUS = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_IMPLEMENTED: 501 };
  var apiKey = '';
  var events = null;
  var reconnectTimer = null;
  var authErrorKind = null;
  var legend = {};
  var retryRefused = [];
  var cancelRefused = [];
  var shownDocument = null;
  var toastTimer = null;
  var refused = false;
  var campaignsUnsupported = false;
  var campaignsLoading = false;
  var campaignsStale = false;
  var SERVER_QUEUE_ROLES = {
    response: 'worker replies',
    results: 'results',
    'scheduler-wakeups': 'scheduler wake-ups (a scheduler process)',
    'dashboard-events': 'dashboard events (an api replica)'
  };

  function $(id) { return document.getElementById(id); }

  /** el('td', { className: 'num', text: '3', data: { key: 'ASR' } }, [children]) */
  function el(tag, props, children) {
    var node = document.createElement(tag);
    props = props || {};
    if (props.className) node.className = props.className;
    if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
    if (props.title) node.title = props.title;
    if (props.data) Object.keys(props.data).forEach(function (k) { node.dataset[k] = props.data[k]; });
    if (props.attrs) Object.keys(props.attrs).forEach(function (k) { node.setAttribute(k, props.attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function enc(s) { return encodeURIComponent(s); }
  function short(id) { return id && id.length > 12 ? id.slice(0, 10) + '…' : (id || ''); }
  function stateOf(code) { return legend[String(code)]; }
  function stateLabel(code) { var s = stateOf(code); return s ? code + ' ' + s.name : String(code); }
  function stateClass(code) { var s = stateOf(code); return s ? 'st-' + s.class : ''; }
  function fmtRate(r) {
    if (r === null || r === undefined) return '–';
    return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
  }

  /**
   * fetch + JSON; a non-2xx answer throws with the server's {"message"} and its status. Reads carry
   * the key in the dane_key cookie; anything else (opts.method) sends it as a bearer token.
   */
  function api(path, opts) {
    var method = (opts && opts.method) || 'GET';
    var headers = { accept: 'application/json' };
    if (method !== 'GET' && apiKey) headers.authorization = 'Bearer ' + apiKey;
    return fetch(path, { method: method, headers: headers, credentials: 'same-origin' }).then(function (res) {
      return res.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        if (!res.ok) {
          var err = new Error((body && body.message) || ('HTTP ' + res.status));
          err.status = res.status;
          throw err;
        }
        return { body: body, headers: res.headers };
      });
    });
  }

  function toast(text, bad) {
    var t = $('toast');
    t.textContent = text;
    t.className = 'show' + (bad ? ' bad' : '');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.className = ''; }, 5000);
  }

  // ---- API key ------------------------------------------------------------------------------

  function storedKey() {
    try { return localStorage.getItem(KEY_STORAGE) || ''; } catch (e) { return ''; }
  }

  function storeKey(key) {
    try {
      if (key) localStorage.setItem(KEY_STORAGE, key); else localStorage.removeItem(KEY_STORAGE);
    } catch (e) { /* storage off: the cookie still holds the key for this session */ }
  }

  /** The cookie the API accepts on read routes (/manage/events, /manage/api/*, /DANE GETs): path /, this site only. */
  function setKeyCookie(key) {
    var attrs = '; path=/; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');
    document.cookie = KEY_COOKIE + '=' + (key ? enc(key) : '') + attrs + (key ? '' : '; Max-Age=0');
  }

  /** What the header says about the key: its public id (dane_<id>_…), never the secret. */
  function keyLabel(key) {
    if (!key) return 'no key';
    var m = /^(dane_[^_]+)_/.exec(key);
    return 'using ' + (m ? m[1] + '_…' : 'a key');
  }

  function useKey(key) {
    apiKey = key;
    storeKey(key);
    setKeyCookie(key);
    $('api-key').value = '';
    $('key-state').textContent = keyLabel(key);
    hideAuthError();
    connect();
    loadWorkers();
    loadCampaigns();
    if (shownDocument) showDocument(shownDocument);
  }

  function isAuthRefusal(err) {
    return err.status === HTTP_STATUS.UNAUTHORIZED || err.status === HTTP_STATUS.FORBIDDEN;
  }

  /** A refused key, in a banner that stays until dismissed or a key is entered: the server's own message and what to do. */
  function showAuthError(what, err, kind) {
    var hint = err.status === HTTP_STATUS.FORBIDDEN ? 'Enter a key with that role above.'
      : apiKey ? 'The key in use was refused; enter another above.' : 'Enter an API key above.';
    $('auth-error-text').textContent = what + ' was refused (' + err.status + '): ' + err.message + '. ' + hint;
    $('auth-error').hidden = false;
    authErrorKind = kind;
  }

  function hideAuthError() {
    $('auth-error').hidden = true;
    $('auth-error-text').textContent = '';
    authErrorKind = null;
  }

  /**
   * Reads refused: the refusal alone, no data beside it. What was shown for another key is blanked,
   * so it cannot reappear when a later key is refused too; the next snapshot fills it in again.
   */
  function setRefused(on) {
    if (on === refused) return;
    refused = on;
    $('content').classList.toggle('refused', on);
    if (!on) { loadWorkers(); loadCampaigns(); return; }
    $('updated').textContent = '';
    $('store-error').hidden = true;
    $('rate').textContent = '–';
    $('total-tasks').textContent = '–';
    clear($('counts-table').tHead);
    clear($('counts-table').tBodies[0]);
    clear($('attention-table').tBodies[0]);
    clear($('campaigns-table').tBodies[0]);
    clear($('events-list'));
    $('events-empty').hidden = false;
    var view = clear($('workers-view'));
    view.className = 'muted';
    view.textContent = 'loading…';
  }

  $('key-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var key = $('api-key').value.trim();
    if (key) useKey(key);
  });
  $('key-clear').addEventListener('click', function () { useKey(''); });
  $('auth-error-close').addEventListener('click', hideAuthError);

  function setConn(kind, text) {
    var c = $('conn');
    c.className = 'pill ' + kind;
    c.textContent = text;
  }

  // ---- snapshots ---------------------------------------------------------------------------

  function render(s) {
    setRefused(false);
    legend = {};
    s.states.forEach(function (st) { legend[String(st.code)] = st; });
    retryRefused = s.retryRefusedStates || [];
    cancelRefused = s.cancelRefusedStates || [];
    $('updated').textContent = 'updated ' + new Date(s.t).toLocaleTimeString();
    var banner = $('store-error');
    banner.hidden = !s.error;
    banner.textContent = s.error || '';
    renderThroughput(s);
    renderCounts(s);
    renderAttention(s);
  }

  function renderThroughput(s) {
    $('rate').textContent = fmtRate(s.rate);
    $('total-tasks').textContent = String(s.total);
    var rates = s.history.map(function (h) { return h.rate; });
    var max = Math.max.apply(null, rates.concat([0.001]));
    var n = rates.length;
    var points = rates.map(function (r, i) {
      var x = n > 1 ? (i / (n - 1)) * 300 : 300;
      var y = 46 - (r / max) * 44;
      return x.toFixed(1) + ',' + y.toFixed(1);
    });
    $('sparkline').querySelector('polyline').setAttribute('points', points.join(' '));
    $('sparkline').setAttribute('data-samples', String(n));
  }

  function renderCounts(s) {
    var used = {};
    s.keys.forEach(function (k) { Object.keys(k.byState).forEach(function (c) { used[c] = true; }); });
    var codes = s.states.map(function (st) { return st.code; }).filter(function (c) { return used[String(c)]; });
    var table = $('counts-table');
    var head = clear(table.tHead);
    var headRow = el('tr', {}, [el('th', { text: 'key' }), el('th', { className: 'num', text: 'total' })]);
    codes.forEach(function (c) {
      headRow.appendChild(el('th', { className: 'num ' + stateClass(c), text: stateLabel(c), title: stateOf(c) ? stateOf(c).meaning : '' }));
    });
    headRow.appendChild(el('th', { className: 'num', text: 'done/s' }));
    head.appendChild(headRow);
    var body = clear(table.tBodies[0]);
    s.keys.forEach(function (k) {
      var row = el('tr', { data: { key: k.key } }, [el('td', { text: k.key }), el('td', { className: 'num', text: k.total, data: { key: k.key, state: 'total' } })]);
      codes.forEach(function (c) {
        var count = k.byState[String(c)] || 0;
        row.appendChild(el('td', { className: 'num ' + (count ? stateClass(c) : 'zero'), text: count, data: { key: k.key, state: String(c) } }));
      });
      row.appendChild(el('td', { className: 'num', text: fmtRate(k.rate), data: { key: k.key, state: 'rate' } }));
      body.appendChild(row);
    });
    $('counts-empty').hidden = s.keys.length > 0;
    table.hidden = s.keys.length === 0;
  }

  function actionButtons(task) {
    var refused = retryRefused.indexOf(Number(task.state)) !== -1;
    var retry = el('button', { text: 'Retry', data: { action: 'retry', taskId: task._id }, title: 'POST /DANE/task/<id>/retry (operate role)' });
    retry.disabled = refused;
    var cancel = el('button', { text: 'Cancel', data: { action: 'cancel', taskId: task._id }, title: 'POST /DANE/task/<id>/cancel (operate role): 499, a running SDK worker is told; dependants say blocked' });
    cancel.disabled = cancelRefused.indexOf(Number(task.state)) !== -1;
    return el('span', { className: 'actions' }, [
      retry, ' ',
      el('button', { text: 'Force retry', data: { action: 'forceretry', taskId: task._id }, title: 'POST /DANE/task/<id>/forceretry (operate role)' }), ' ',
      el('button', { text: 'Reset', data: { action: 'reset', taskId: task._id }, title: 'POST /DANE/task/<id>/reset (operate role)' }), ' ',
      cancel
    ]);
  }

  function documentLink(id) {
    var a = el('a', { className: 'mono', text: short(id), title: id, attrs: { href: '#doc=' + id } });
    a.addEventListener('click', function (e) { e.preventDefault(); showDocument(id); });
    return a;
  }

  function renderAttention(s) {
    var body = clear($('attention-table').tBodies[0]);
    s.attention.tasks.forEach(function (t) {
      body.appendChild(el('tr', { data: { taskId: t._id, state: String(t.state) } }, [
        el('td', { className: 'mono', text: short(t._id), title: t._id }),
        el('td', { text: t.key }),
        el('td', { className: stateClass(t.state), text: stateLabel(t.state) }),
        el('td', { text: t.msg }),
        el('td', { className: 'muted', text: t.updated_at }),
        el('td', {}, [documentLink(t.document_id)]),
        el('td', {}, [actionButtons(t)])
      ]));
    });
    var total = s.attention.total;
    $('attention-total').textContent = total > s.attention.tasks.length ? ('newest ' + s.attention.tasks.length + ' of ' + total) : (total ? String(total) : '');
    $('attention-empty').hidden = total > 0;
    $('attention-table').hidden = total === 0;
  }

  // ---- live events -------------------------------------------------------------------------

  function fmtTime(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
  }

  /** What a line says of an event: routing-key-like text, the id it concerns, its message. */
  function describeEvent(e) {
    if (e.type === 'task') {
      var from = e.previous_state === null || e.previous_state === undefined ? '' : e.previous_state + ' ';
      return {
        route: 'task.' + e.key + ' ' + from + '→ ' + e.state + (e.count ? ' ×' + e.count : ''),
        title: (e.previous_state === null || e.previous_state === undefined ? '' : stateLabel(e.previous_state) + ' → ') + stateLabel(e.state),
        id: e.task_id || '', msg: e.msg || ''
      };
    }
    if (e.type === 'result.stored') return { route: 'result.' + e.key + ' stored', title: 'result ' + e.result_id, id: e.task_id, msg: 'result ' + short(e.result_id) };
    return { route: e.type, title: e.type, id: e.document_id, msg: 'target ' + e.target_id + ', creator ' + e.creator_id };
  }

  function prependEventLine(li) {
    var list = $('events-list');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_EVENTS) list.removeChild(list.lastChild);
    $('events-empty').hidden = true;
  }

  function addEvent(e) {
    var d = describeEvent(e);
    var data = { routingKey: e.routing_key || '', type: e.type };
    if (e.task_id) data.taskId = e.task_id;
    if (e.document_id) data.documentId = e.document_id;
    if (e.type === 'task') data.state = String(e.state);
    prependEventLine(el('li', { data: data }, [
      el('span', { className: 'muted', text: fmtTime(e.at) }),
      el('span', { className: 'ev-route ' + (e.type === 'task' ? stateClass(e.state) : ''), text: d.route, title: d.title }),
      el('span', { className: 'ev-id', text: short(d.id), title: d.id }),
      el('span', { className: 'ev-msg', text: d.msg, title: d.msg })
    ]));
  }

  function addSkipped(count) {
    prependEventLine(el('li', { className: 'muted', data: { skipped: String(count) } }, ['… ' + count + ' more events in that burst, not shown']));
  }

  // ---- campaigns ---------------------------------------------------------------------------

  function fmtDuration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    var s = Math.round(seconds);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
    return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
  }

  function campaignButton(c, action, label, enabled, title) {
    var b = el('button', { text: label, data: { campaignAction: action, campaignId: c._id }, title: title });
    b.disabled = !enabled;
    return b;
  }

  function campaignButtons(c) {
    var open = c.status === 'running' || c.status === 'paused';
    return el('span', { className: 'actions' }, [
      campaignButton(c, 'pause', 'Pause', c.status === 'running', 'POST /DANE/campaigns/<id>/pause (operate role): nothing more is fed; what was fed runs on'), ' ',
      campaignButton(c, 'resume', 'Resume', c.status === 'paused', 'POST /DANE/campaigns/<id>/resume (operate role)'), ' ',
      campaignButton(c, 'cancel', 'Cancel', open, 'POST /DANE/campaigns/<id>/cancel (operate role): nothing more is fed, its unfinished tasks are cancelled')
    ]);
  }

  function numCell(field, n) {
    return el('td', { className: 'num' + (n ? '' : ' zero'), text: n, data: { field: field } });
  }

  function renderCampaigns(list) {
    var body = clear($('campaigns-table').tBodies[0]);
    list.campaigns.forEach(function (c) {
      var k = c.counts;
      var finished = k.done + k.failed + k.cancelled;
      var pct = k.matched ? Math.floor((finished / k.matched) * 100) : 100;
      var bar = el('progress', { attrs: { max: String(Math.max(k.matched, 1)), value: String(k.matched ? finished : 1) } });
      var ended = c.status === 'done' || c.status === 'cancelled';
      body.appendChild(el('tr', { data: { campaignId: c._id, status: c.status } }, [
        el('td', { className: 'mono', text: short(c._id), title: c._id + (c.name ? ' (' + c.name + ')' : '') }, c.name ? [el('br'), el('span', { className: 'muted', text: c.name })] : []),
        el('td', { text: c.selection.key }),
        el('td', { text: c.action }),
        el('td', { className: 'cs-' + c.status, text: c.status, data: { field: 'status' } }),
        el('td', { data: { field: 'progress' }, title: k.pending + ' pending, ' + k.queued + ' queued, ' + k.running + ' running' }, [bar, el('span', { className: 'cp-text', text: finished + ' of ' + k.matched + ' (' + pct + '%)' })]),
        numCell('matched', k.matched),
        numCell('done', k.done),
        numCell('failed', k.failed),
        numCell('cancelled', k.cancelled),
        el('td', { className: 'num', text: c.in_flight + ' / ' + c.max_in_flight, data: { field: 'in_flight' } }),
        el('td', { className: 'num', text: c.rate_per_minute + '/min', data: { field: 'rate' } }),
        el('td', { className: 'num', text: ended ? '' : fmtDuration(c.eta_seconds), data: { field: 'eta' } }),
        el('td', {}, [campaignButtons(c)])
      ]));
    });
    $('campaigns-total').textContent = list.total > list.campaigns.length ? ('newest ' + list.campaigns.length + ' of ' + list.total) : (list.total ? String(list.total) : '');
    $('campaigns-table').hidden = list.campaigns.length === 0;
    var note = $('campaigns-note');
    note.className = 'muted';
    note.textContent = 'No campaigns. dane campaign create, or POST /DANE/campaigns/, starts one.';
    note.hidden = list.campaigns.length > 0;
  }

  function campaignsNote(text, className) {
    clear($('campaigns-table').tBodies[0]);
    $('campaigns-table').hidden = true;
    $('campaigns-total').textContent = '';
    var note = $('campaigns-note');
    note.className = className;
    note.textContent = text;
    note.hidden = false;
  }

  /** The newest campaigns with their progress; a store without campaigns (501) is said once, then not asked again. */
  function loadCampaigns() {
    if (refused || campaignsUnsupported) return;
    // One read at a time; a call meanwhile (a click) reads again once it is answered.
    if (campaignsLoading) { campaignsStale = true; return; }
    campaignsLoading = true;
    api('/DANE/campaigns/?size=' + CAMPAIGNS_SHOWN).then(function (res) {
      renderCampaigns(res.body);
    }).catch(function (err) {
      if (err.status === HTTP_STATUS.NOT_IMPLEMENTED) {
        campaignsUnsupported = true;
        campaignsNote('Campaigns need the SQL stores (PostgreSQL or PGlite): ' + err.message, 'muted');
      } else if (!isAuthRefusal(err)) {
        campaignsNote((err.status ? err.status + ': ' : '') + err.message, 'error');
      }
    }).then(function () {
      campaignsLoading = false;
      if (campaignsStale) { campaignsStale = false; loadCampaigns(); }
    });
  }

  function actCampaign(id, action, button) {
    if (action === 'cancel' && !window.confirm('Cancel campaign ' + id + '? Nothing more is fed, and its unfinished tasks are cancelled.')) return;
    button.disabled = true;
    api('/DANE/campaigns/' + enc(id) + '/' + action, { method: 'POST' }).then(function (res) {
      // cancel answers {campaign, message, …}; pause and resume the campaign.
      var c = res.body && res.body.campaign ? res.body.campaign : res.body;
      if (authErrorKind) hideAuthError();
      toast(action + ': campaign ' + short(c._id) + ' is now ' + c.status + (res.body.message ? ' — ' + res.body.message : ''));
    }).catch(function (err) {
      if (isAuthRefusal(err)) showAuthError(action + ' of campaign ' + short(id), err, 'action');
      toast(action + ' failed: ' + (err.status ? err.status + ' ' : '') + err.message, true);
    }).then(function () {
      button.disabled = false;
      loadCampaigns();
    });
  }

  // ---- actions -----------------------------------------------------------------------------

  function act(taskId, action, button) {
    button.disabled = true;
    api('/DANE/task/' + enc(taskId) + '/' + action, { method: 'POST' }).then(function (res) {
      // cancel answers {task, cascaded, blocked}; the other actions the task.
      var t = res.body && res.body.task ? res.body.task : res.body;
      var extra = res.body && res.body.task ? (res.body.cascaded.length ? '; ' + res.body.cascaded.length + ' dependant(s) cancelled' : '') +
        (res.body.blocked.length ? '; ' + res.body.blocked.length + ' dependant(s) now blocked' : '') : '';
      if (authErrorKind) hideAuthError();
      toast(action + ': task ' + short(t._id) + ' (' + t.key + ') is now ' + stateLabel(t.state) + ' — ' + t.msg + extra);
      if (shownDocument) showDocument(shownDocument);
    }).catch(function (err) {
      if (isAuthRefusal(err)) showAuthError(action + ' of task ' + short(taskId), err, 'action');
      toast(action + ' failed: ' + (err.status ? err.status + ' ' : '') + err.message, true);
    }).then(function () { button.disabled = false; });
  }

  document.addEventListener('click', function (e) {
    var b = e.target.closest ? e.target.closest('button[data-action]') : null;
    if (b) act(b.dataset.taskId, b.dataset.action, b);
    var cb = e.target.closest ? e.target.closest('button[data-campaign-action]') : null;
    if (cb) actCampaign(cb.dataset.campaignId, cb.dataset.campaignAction, cb);
  });

  // ---- document view -----------------------------------------------------------------------

  function showDocument(id) {
    shownDocument = id;
    $('doc-id').value = id;
    var view = $('doc-view');
    Promise.all([
      api('/DANE/document/' + enc(id)),
      api('/DANE/document/' + enc(id) + '/tasks?size=1000'),
      api('/DANE/results/?document_id=' + enc(id) + '&size=1000')
    ]).then(function (answers) {
      var doc = answers[0].body, tasks = answers[1].body, results = answers[2].body;
      clear(view);
      view.appendChild(el('p', {}, [
        el('strong', { text: String(doc.target.id) }), ' (' + doc.target.type + ') ',
        el('span', { className: 'mono', text: doc.target.url }),
        el('br'), 'creator ' + doc.creator.id + ' (' + doc.creator.type + '), registered ' + doc.created_at + ' ',
        el('span', { className: 'mono muted', text: doc._id })
      ]));
      var taskTable = el('table', { attrs: { id: 'doc-tasks' } }, [el('thead', {}, [el('tr', {}, ['key', 'state', 'message', 'attempt', 'updated', ''].map(function (h) { return el('th', { text: h }); }))])]);
      var tbody = el('tbody');
      tasks.forEach(function (t) {
        tbody.appendChild(el('tr', { data: { taskId: t._id, state: String(t.state) } }, [
          el('td', { text: t.key, title: t._id }),
          el('td', { className: stateClass(t.state), text: stateLabel(t.state) }),
          el('td', { text: t.msg }),
          el('td', { className: 'num', text: t.attempt }),
          el('td', { className: 'muted', text: t.updated_at }),
          el('td', {}, [actionButtons(t)])
        ]));
      });
      taskTable.appendChild(tbody);
      view.appendChild(el('h3', { text: 'Tasks (' + answers[1].headers.get('x-total-count') + ')' }));
      view.appendChild(tasks.length ? taskTable : el('p', { className: 'muted', text: 'No tasks.' }));
      view.appendChild(el('h3', { text: 'Results (' + results.total + ')' }));
      var list = el('div', { attrs: { id: 'doc-results' } });
      results.results.forEach(function (r) {
        list.appendChild(el('div', { data: { resultId: r._id } }, [
          el('strong', { text: r.task_key }), ' by ' + r.generator.name + ' ' + r.generator.id + ' ',
          el('span', { className: 'mono muted', text: r._id }),
          el('pre', { className: 'mono', text: JSON.stringify(r.payload, null, 2) })
        ]));
      });
      view.appendChild(results.results.length ? list : el('p', { className: 'muted', text: 'No results.' }));
    }).catch(function (err) {
      clear(view).appendChild(el('p', { className: 'error', text: err.message }));
    });
  }

  $('doc-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var id = $('doc-id').value.trim();
    if (id) showDocument(id);
  });

  // ---- worker queues -----------------------------------------------------------------------

  function queueTable(headers, rows) {
    var head = el('tr', {}, headers.map(function (h) { return el('th', { className: h.num ? 'num' : '', text: h.text }); }));
    return el('table', {}, [el('thead', {}, [head]), el('tbody', {}, rows)]);
  }

  function countCell(n) {
    return n === null || n === undefined ? el('td', { className: 'num muted', text: '—', title: 'not on the broker' }) : el('td', { className: 'num', text: n });
  }

  /** This deployment's queues: the workers' (bound to its exchange) and the server's own. */
  function loadWorkers() {
    // Refused reads: nothing to show; the first accepted snapshot loads them again.
    if (refused) return;
    var view = $('workers-view');
    api('/manage/api/queues').then(function (res) {
      var q = res.body;
      clear(view).className = '';
      $('workers-where').textContent = 'exchange ' + q.exchange + (q.vhost === '/' ? '' : ', vhost ' + q.vhost);
      view.appendChild(el('h3', { text: 'Workers' }));
      if (!q.workers.length) {
        view.appendChild(el('p', { className: 'muted', attrs: { id: 'no-workers' }, text: 'No worker queue is bound to ' + q.exchange + '.' }));
      } else {
        var table = queueTable([{ text: 'queue' }, { text: 'task keys' }, { text: 'workers', num: true }, { text: 'waiting', num: true }], q.workers.map(function (w) {
          return el('tr', { data: { queue: w.name } }, [el('td', { text: w.name }), el('td', { text: w.binding_keys.join(', ') }), el('td', { className: 'num', text: w.active_workers }), el('td', { className: 'num', text: w.in_queue })]);
        }));
        table.id = 'worker-queues';
        view.appendChild(table);
      }
      view.appendChild(el('h3', { text: 'Server' }));
      var server = queueTable([{ text: 'queue' }, { text: 'for' }, { text: 'consumers', num: true }, { text: 'waiting', num: true }], q.server.map(function (sq) {
        return el('tr', { data: { queue: sq.name, role: sq.role } }, [el('td', { text: sq.name }), el('td', { className: 'muted', text: SERVER_QUEUE_ROLES[sq.role] || sq.role }), countCell(sq.consumers), countCell(sq.messages)]);
      }));
      server.id = 'server-queues';
      view.appendChild(server);
    }).catch(function (err) {
      clear(view).className = 'error';
      view.textContent = (err.status ? err.status + ': ' : '') + err.message;
    });
  }

  // ---- start -------------------------------------------------------------------------------

  /** (Re)opens the event stream; called again whenever the key changes (the cookie goes with the request). */
  function connect() {
    if (events) events.close();
    clearTimeout(reconnectTimer);
    setConn('', 'connecting…');
    var source = new EventSource('/manage/events');
    events = source;
    source.onopen = function () {
      if (source !== events) return;
      setConn('live', 'live');
      setRefused(false);
      if (authErrorKind === 'read') hideAuthError();
    };
    source.onmessage = function (e) {
      if (source !== events) return;
      setConn('live', 'live');
      render(JSON.parse(e.data));
    };
    source.addEventListener('dane-event', function (e) {
      if (source === events) addEvent(JSON.parse(e.data));
    });
    source.addEventListener('dane-events-skipped', function (e) {
      if (source === events) addSkipped(JSON.parse(e.data).count);
    });
    source.onerror = function () {
      if (source !== events) return;
      // After a network error EventSource reconnects by itself; say so meanwhile.
      if (source.readyState !== EventSource.CLOSED) { setConn('down', 'reconnecting…'); return; }
      // A refused stream (an HTTP error) is not retried by the browser, nor does it say why: ask a read route.
      api('/manage/api/snapshot').then(function () {
        setConn('down', 'reconnecting…');
        reconnectTimer = setTimeout(connect, RECONNECT_MS);
      }, function (err) {
        if (isAuthRefusal(err)) {
          setConn('down', 'needs a key');
          setRefused(true);
          showAuthError('Reading the dashboard', err, 'read');
        } else {
          setConn('down', 'reconnecting…');
          reconnectTimer = setTimeout(connect, RECONNECT_MS);
        }
      });
    };
  }

  apiKey = storedKey();
  if (apiKey) setKeyCookie(apiKey);
  $('key-state').textContent = keyLabel(apiKey);
  connect();
  loadWorkers();
  setInterval(loadWorkers, WORKERS_POLL_MS);
  loadCampaigns();
  setInterval(loadCampaigns, CAMPAIGNS_POLL_MS);
  var fromHash = /^#doc=(.+)$/.exec(location.hash);
  if (fromHash) showDocument(decodeURIComponent(fromHash[1]));
})();
`;

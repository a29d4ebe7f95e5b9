// holdspace pages: small progressive enhancements. Every page works without
// this file; it adds the live console, the one-tap STOP without a page load,
// and the tappable body map.
(function () {
  'use strict';

  // The words of a region's summary come from the form, in the page's
  // language: data-state-yes="Yes to %s" and so on (%s is the list of
  // techniques, each named by its fieldset's data-word).
  function answerWords(form) {
    var w = { yes: 'Yes to %s', ask: 'Ask me first for %s', no: 'No to %s', none: 'No' };
    if (form) {
      ['yes', 'ask', 'no', 'none'].forEach(function (k) {
        var v = form.getAttribute('data-state-' + k);
        if (v) { w[k] = v; }
      });
    }
    return w;
  }

  // The body map: tapping a region opens its controls; answers recolour
  // the figure and rewrite the region's summary in words.
  function regionSummary(details) {
    var groups = { yes: [], ask: [], no: [] };
    var sets = details.querySelectorAll('fieldset[data-tech]');
    sets.forEach(function (fs) {
      var checked = fs.querySelector('input:checked');
      var v = checked ? checked.value : 'no';
      groups[v].push(fs.getAttribute('data-word') || fs.getAttribute('data-label').toLowerCase());
    });
    var parts = [];
    var words = answerWords(details.closest('form'));
    if (groups.no.length === sets.length) { return { cls: 's-no', text: words.none }; }
    ['yes', 'ask', 'no'].forEach(function (k) {
      if (groups[k].length) { parts.push(words[k].replace('%s', groups[k].join(', '))); }
    });
    var cls = 's-some';
    if (!groups.ask.length && !groups.no.length) { cls = 's-yes'; }
    else if (!groups.yes.length && !groups.no.length) { cls = 's-ask'; }
    return { cls: cls, text: parts.join('; ') };
  }

  function updateRegion(details) {
    var code = details.getAttribute('data-region');
    var s = regionSummary(details);
    var sw = details.querySelector('summary .swatch');
    if (sw) { sw.setAttribute('class', 'swatch ' + s.cls); }
    var st = details.querySelector('.r-state');
    if (st) { st.textContent = s.text; }
    var label = details.querySelector('.r-label').textContent;
    document.querySelectorAll('.bodymap [data-region="' + code + '"]').forEach(function (el) {
      el.setAttribute('class', 'region ' + s.cls);
      el.setAttribute('aria-label', label + ': ' + s.text);
      var t = el.querySelector('title');
      if (t) { t.textContent = label + ': ' + s.text; }
    });
  }

  function initBodyMap(form) {
    form.querySelectorAll('details.region-ctl').forEach(function (d) {
      var quick = d.querySelector('.quick');
      if (quick) { quick.hidden = false; }
      d.addEventListener('change', function () { updateRegion(d); });
      d.querySelectorAll('[data-set]').forEach(function (b) {
        b.addEventListener('click', function () {
          var v = b.getAttribute('data-set');
          d.querySelectorAll('input[type=radio][value="' + v + '"]').forEach(function (r) { r.checked = true; });
          updateRegion(d);
        });
      });
    });
    document.querySelectorAll('.bodymap a.region').forEach(function (a) {
      a.addEventListener('click', function (e) {
        var d = document.getElementById('r-' + a.getAttribute('data-region'));
        if (!d) { return; }
        e.preventDefault();
        form.querySelectorAll('details.region-ctl[open]').forEach(function (o) { if (o !== d) { o.open = false; } });
        d.open = true;
        d.scrollIntoView({ block: 'nearest' });
        d.querySelector('summary').focus();
      });
    });
  }

  // Live views: an EventSource tells us when the session changed; the
  // fragment is then fetched again from the server. One fetch at a time
  // per view: two under way could answer out of order, and an older
  // fragment (read before a client went on after a stop, say) would
  // replace a newer one and show a state that has passed. A refresh asked
  // for while one is under way runs once, after it (the view is marked
  // data-refresh-queued meanwhile).
  var inflight = new WeakMap();
  function refresh(el) {
    var running = inflight.get(el);
    if (running) {
      el.setAttribute('data-refresh-queued', '');
      return running;
    }
    var done = function () {
      inflight.delete(el);
      if (el.hasAttribute('data-refresh-queued')) {
        el.removeAttribute('data-refresh-queued');
        refresh(el);
      }
    };
    var p = load(el).then(function (v) { done(); return v; }, function (err) { done(); throw err; });
    inflight.set(el, p);
    return p;
  }

  function load(el) {
    // The page's own query (?done=…) goes along: the server shows its
    // message only while the session is still in the state it describes.
    var url = el.getAttribute('data-fragment') + window.location.search;
    return fetch(url, { headers: { 'X-Holdspace-Fetch': '1' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        if (r.status === 401) { window.location.href = '/login?expired=1'; return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html === null) { return; }
        var before = el.querySelector('[data-phase]');
        var phase = before ? before.getAttribute('data-phase') : null;
        var focusedId = document.activeElement && el.contains(document.activeElement) ? document.activeElement.id : '';
        // Keep answers being given (the day's check, the chaperone) when
        // the fragment is replaced under them.
        var picked = [];
        el.querySelectorAll('input[type=radio]:checked').forEach(function (r) { picked.push([r.name, r.value]); });
        el.innerHTML = html;
        picked.forEach(function (p) {
          var r = el.querySelector('input[type=radio][name="' + CSS.escape(p[0]) + '"][value="' + CSS.escape(p[1]) + '"]');
          if (r) { r.checked = true; }
        });
        var after = el.querySelector('[data-phase]');
        if (phase && after && after.getAttribute('data-phase') !== phase) { window.location.reload(); return; }
        if (focusedId) { var f = document.getElementById(focusedId); if (f) { f.focus(); } }
      });
  }

  function initLive(el) {
    if (!window.EventSource) { return; }
    var es = new EventSource(el.getAttribute('data-stream'));
    var last = null;
    es.addEventListener('state', function (ev) {
      var st = JSON.parse(ev.data);
      var key = st.state + '/' + st.seq + '/' + st.facts_version;
      if (last === null) {
        last = key;
        var shown = el.querySelector('[data-state]');
        if (shown && shown.getAttribute('data-state') === st.state && shown.getAttribute('data-seq') === String(st.seq)) { return; }
      } else if (key === last) {
        return;
      }
      last = key;
      refresh(el);
    });
    es.addEventListener('error', function () {
      if (es.readyState === EventSource.CLOSED) {
        // The session ended (signed out or timed out): go and see.
        setTimeout(function () { window.location.reload(); }, 1500);
      }
    });
  }

  // Forms marked data-fetch (STOP) are sent without leaving the page; if
  // that fails for any reason, the plain form post runs instead.
  function send(form) {
    var button = form.querySelector('button[type=submit]');
    if (button) { button.disabled = true; }
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, { method: 'POST', body: body, headers: { 'X-Holdspace-Fetch': '1' }, credentials: 'same-origin' })
      .then(function (r) {
        if (r.status === 401) { window.location.href = '/login?expired=1'; return; }
        if (!r.ok) { throw new Error('status ' + r.status); }
        var live = form.closest('[data-fragment]');
        if (live) { return refresh(live); }
        window.location.reload();
      })
      .catch(function () {
        form.removeAttribute('data-fetch');
        form.submit();
      });
  }

  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (f && f.hasAttribute && f.hasAttribute('data-fetch')) {
      e.preventDefault();
      send(f);
    }
  });

  function init() {
    var form = document.getElementById('consent-form');
    if (form) { initBodyMap(form); }
    document.querySelectorAll('[data-stream]').forEach(initLive);
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', init); } else { init(); }
}());

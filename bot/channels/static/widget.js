/*
 * CCE practitioner assistant: embeddable chat widget. No dependencies, no build step.
 *
 * Server API (JSON; SERVER = data-server, the page origin when data-server="",
 * or the script's own origin when the attribute is absent):
 *   GET  SERVER/webhooks/web/config                 -> {title, emergency_number, front_door_name, front_door_email}
 *   POST SERVER/webhooks/web/session  {}            -> {token, expires_in}
 *   POST SERVER/webhooks/web/message  {token, text} -> {messages: [{text, buttons: [{title, payload}], checklist?}], token, expires_in}
 *   (a checklist is a screen of the indicator check, drawn as checkboxes; see checklistForm)
 *   POST SERVER/webhooks/web/history  {token}       -> {messages: [{sender: "user"|"bot", text, buttons, checklist?}], expires_in}
 *   Errors: 4xx {error}; 401/403 mean the token is stale (e.g. expired), so a new conversation is started.
 * The token is kept for this tab only, in sessionStorage["cce-assistant-token"] (closing the tab
 * forgets it), and renewed by every message; once expires_in seconds pass without a message the
 * conversation is forgotten here too: nothing of it stays on screen, and a new one starts with a
 * short notice. "Start a new conversation" forgets it at once. The text "/session_start" asks for
 * the welcome.
 *
 * Security: text from the user or the bot reaches the page only as text nodes; links are
 * built with createElement, and only for http:, https:, mailto: and tel: URLs (a root-relative
 * path such as /privacy is a link to SERVER). The form links SERVER/privacy and SERVER/accessibility.
 */
(function () {
  'use strict';
  if (window.CCEAssistant) return; // included twice: keep the first widget

  const script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  const TOKEN_KEY = 'cce-assistant-token';
  const TIMEOUT_MS = 60000;
  const SAFE_SCHEMES = ['http:', 'https:', 'mailto:', 'tel:'];
  const SUMMARY_RE = /^[\s*#]*Indicator check summary/i;
  const EMAIL = '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}';
  // [text](url) | **bold** | bare http(s) URL | e-mail address
  const INLINE = '\\[([^\\]\\n]+)\\]\\(([^()\\s]+)\\)|\\*\\*(.+?)\\*\\*|(https?://[^\\s<>"\'()[\\]]+)|(' + EMAIL + ')';
  const EMAIL_RE = new RegExp('^' + EMAIL + '$');

  const attr = (name) => (script && script.getAttribute('data-' + name)) || '';
  const SERVER = resolveServer();
  const ENDED_NOTICE = 'The earlier conversation has ended and is no longer shown; this is a new one.';
  const state = { token: null, busy: false, started: false, floating: false, noticeTimer: 0,
    expiresAt: 0, expiryTimer: 0 };
  const ui = {};
  let uid = 0;

  // ---- small helpers -------------------------------------------------------

  function resolveServer() {
    const raw = script ? script.getAttribute('data-server') : null;
    if (raw === null && script && script.src) return new URL(script.src, location.href).origin;
    try {
      const url = new URL((raw || '').trim() || location.origin, location.href);
      if (/^https?:$/.test(url.protocol)) return (url.origin + url.pathname).replace(/\/+$/, '');
    } catch (e) { /* fall back to the page origin */ }
    return location.origin;
  }

  /** Keep the token for this tab only, with the seconds it has left (see the top of the file). */
  function setToken(token, expiresIn) {
    state.token = token || null;
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage blocked: the conversation just won't survive a reload */ }
    setExpiry(token ? expiresIn : null);
  }

  /** Once `seconds` pass (the server's expires_in), the conversation is forgotten here too. */
  function setExpiry(seconds) {
    clearTimeout(state.expiryTimer);
    state.expiresAt = 0;
    if (typeof seconds !== 'number' || !isFinite(seconds) || seconds < 0) return;
    state.expiresAt = Date.now() + seconds * 1000;
    state.expiryTimer = setTimeout(expireIfDue, Math.min(seconds * 1000 + 500, 2147483647));
  }

  /** Timers sleep with the computer and in background tabs, so this also runs when the page is seen again. */
  function expireIfDue() {
    if (!state.token || !state.expiresAt || Date.now() < state.expiresAt) return;
    if (state.busy) { state.expiryTimer = setTimeout(expireIfDue, 1000); return; }
    withBusy(async () => {
      try { await restart(false); } catch (err) { showError(err, false); }
    }, false);
  }

  function renew(data) {
    if (typeof data.token === 'string' && data.token) setToken(data.token, data.expires_in);
  }

  /** Create an element: attributes via setAttribute, children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'className') node.className = value;
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  const text = (value) => document.createTextNode(value);
  const hiddenText = (value) => el('span', { className: 'cce-visually-hidden' }, value);

  /** The normalised URL if it parses as absolute and uses an allowed scheme, else null.
   *  A root-relative path ("/privacy") is a page of the assistant's own server. */
  function safeUrl(raw) {
    try {
      const value = String(raw).trim();
      const url = /^\/(?![/\\])/.test(value) ? new URL(SERVER + value) : new URL(value);
      return SAFE_SCHEMES.includes(url.protocol) ? url.href : null;
    } catch (e) {
      return null; // other relative or malformed: never a link
    }
  }

  /** Links to the server's privacy notice and accessibility statement (the server's
   *  address, as the widget may be embedded on another site). */
  function pageLinks() {
    return el('p', { className: 'cce-links' },
      makeLink(SERVER + '/privacy', 'Privacy notice'), ' ',
      makeLink(SERVER + '/accessibility', 'Accessibility statement'));
  }

  function makeLink(raw, label) {
    const href = safeUrl(raw);
    if (!href) return null;
    const link = el('a', { href, rel: 'noopener noreferrer' }, label);
    if (/^https?:/.test(href)) { // new tabs for web pages only: mailto:/tel: hand over to an app
      link.target = '_blank';
      link.appendChild(hiddenText(' (opens in a new tab)'));
    }
    return link;
  }

  // ---- safe markdown subset -----------------------------------------------

  /** Append line to parent, turning **bold**, [text](url), bare URLs and e-mails into elements. */
  function appendInline(parent, line) {
    const re = new RegExp(INLINE, 'g');
    let last = 0;
    let m;
    while ((m = re.exec(line)) !== null) {
      if (m.index > last) parent.appendChild(text(line.slice(last, m.index)));
      let trailing = '';
      let node;
      if (m[1] !== undefined) {
        node = makeLink(m[2], m[1]) || text(m[0]); // unsafe scheme: shown as typed, not a link
      } else if (m[3] !== undefined) {
        node = el('strong');
        appendInline(node, m[3]);
      } else if (m[4] !== undefined) {
        const url = m[4].replace(/[.,;:!?*]+$/, ''); // "see https://x.org." ends before the dot
        trailing = m[4].slice(url.length);
        node = makeLink(url, url) || text(url);
      } else {
        node = makeLink('mailto:' + m[5], m[5]) || text(m[5]);
      }
      parent.appendChild(node);
      if (trailing) parent.appendChild(text(trailing));
      last = re.lastIndex;
    }
    if (last < line.length) parent.appendChild(text(line.slice(last)));
  }

  /** Paragraphs, "- " and "1. " lists and "Source:" lines built from a bot message. */
  function renderRich(message) {
    const frag = document.createDocumentFragment();
    let para = null, list = null, item = null;
    for (const line of message.replace(/\r\n?/g, '\n').split('\n')) {
      const bullet = /^[-•] +(.*)$/.exec(line);
      const numbered = /^(\d+)[.)] +(.*)$/.exec(line);
      if (!line.trim()) {
        para = list = item = null;
      } else if (bullet || numbered) {
        const tag = bullet ? 'UL' : 'OL';
        if (!list || list.tagName !== tag) {
          list = frag.appendChild(el(tag.toLowerCase()));
          if (numbered && numbered[1] !== '1') list.setAttribute('start', numbered[1]);
        }
        item = list.appendChild(el('li'));
        appendInline(item, bullet ? bullet[1] : numbered[2]);
        para = null;
      } else if (item && /^\s+\S/.test(line)) { // an indented line continues the list item
        item.appendChild(el('br'));
        appendInline(item, line.trim());
      } else if (/^Source:\s/.test(line.trim())) {
        para = list = item = null;
        appendInline(frag.appendChild(el('p', { className: 'cce-source' })), line.trim());
      } else {
        list = item = null;
        if (para) para.appendChild(el('br'));
        else para = frag.appendChild(el('p'));
        appendInline(para, line);
      }
    }
    return frag;
  }

  // ---- server calls --------------------------------------------------------

  async function api(path, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    const options = { method: 'GET', headers: { Accept: 'application/json' }, credentials: 'omit', signal: controller.signal };
    if (body !== undefined) {
      options.method = 'POST';
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    try {
      const res = await fetch(SERVER + '/webhooks/web/' + path, options);
      const data = await res.json().catch(() => null);
      if (!res.ok || !data || typeof data !== 'object') {
        const err = new Error('HTTP ' + res.status);
        err.status = res.status;
        err.serverMessage = data && typeof data.error === 'string' ? data.error : '';
        throw err;
      }
      return data;
    } finally {
      clearTimeout(timer);
    }
  }

  const isStale = (err) => err && (err.status === 401 || err.status === 403);

  async function newToken() {
    const data = await api('session', {});
    if (typeof data.token !== 'string' || !data.token) throw new Error('No token in the reply');
    setToken(data.token, data.expires_in);
  }

  async function welcome() {
    const data = await api('message', { token: state.token, text: '/session_start' });
    renew(data);
    addBotMessages(data.messages);
  }

  /** Forget the conversation (its token and all it showed), then start a new one with a notice. */
  async function restart(kept) {
    setToken(null);
    ui.log.replaceChildren();
    addNotice(ENDED_NOTICE + (kept ? ' Your message is still in the box below: please send it again.' : ''));
    await startSession();
  }

  async function startSession() {
    await newToken();
    await welcome();
  }

  async function loadHistory() {
    let data;
    try {
      data = await api('history', { token: state.token });
    } catch (err) {
      if (!isStale(err)) throw err;
      return restart(false);
    }
    setExpiry(data.expires_in);
    const messages = (Array.isArray(data.messages) ? data.messages : []).filter((m) =>
      m && typeof m.text === 'string' && !(m.sender === 'user' && m.text.startsWith('/')));
    // Nothing to redraw (the welcome precedes the session in the history): a fresh start, as
    // "/session_start" in a session already started would be answered with nothing.
    if (!messages.length) return startSession();
    ui.log.setAttribute('aria-busy', 'true'); // one update for screen readers, not one per message
    ui.log.replaceChildren();
    let last = null;
    for (const m of messages) last = addMessage(m.sender === 'user' ? 'user' : 'bot', m.text, m.buttons, m.checklist, m.feedback);
    const open = last && last.classList.contains('cce-msg--bot') ? last.querySelector('.cce-checklist') : null;
    closeChecklists(); // only a list the conversation still waits for can be sent
    if (open) {
      open.disabled = false;
      open.parentNode.querySelector('.cce-checklist__done').hidden = false;
    }
    ui.log.setAttribute('aria-busy', 'false');
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function applyConfig(config) {
    const str = (value) => (typeof value === 'string' ? value.trim() : '');
    if (config.feedback && typeof config.feedback === 'object') state.feedback = config.feedback;
    if (!attr('title') && str(config.title)) setTitle(str(config.title));
    const number = str(config.emergency_number);
    if (/^\+?[0-9 ]{2,15}$/.test(number)) {
      ui.emergency.textContent = 'Child in immediate danger? Call ' + number;
      ui.emergency.href = 'tel:' + number.replace(/\s+/g, '');
    }
    const email = str(config.front_door_email);
    const link = EMAIL_RE.test(email) ? makeLink('mailto:' + email, email) : null;
    if (link) {
      ui.frontDoor.replaceChildren(text((str(config.front_door_name) || 'Integrated Front Door') + ': '), link);
      ui.frontDoor.hidden = false;
    }
  }

  // ---- conversation --------------------------------------------------------

  /** Run one request at a time, with the input disabled and the typing indicator shown. */
  async function withBusy(task, refocus) {
    if (state.busy || !ui.log) return;
    setBusy(true);
    try {
      await task();
    } finally {
      setBusy(false);
      if (refocus) ui.input.focus();
    }
  }

  function setBusy(on) {
    state.busy = on;
    ui.input.disabled = ui.send.disabled = ui.reset.disabled = on;
    ui.log.querySelectorAll('.cce-reply').forEach((button) => { button.disabled = on; });
    ui.status.classList.toggle('is-typing', on);
    ui.statusText.textContent = on ? 'The assistant is typing' : '';
  }

  /** Send text to the bot; show `shown` as the user's bubble (nothing for commands). */
  function send(message, shown, fromInput) {
    return withBusy(async () => {
      const bubble = shown ? addMessage('user', shown) : null;
      if (bubble) ui.log.scrollTop = ui.log.scrollHeight;
      try {
        if (!state.token) await newToken();
        const data = await api('message', { token: state.token, text: message });
        if (fromInput) ui.input.value = '';
        renew(data);
        addBotMessages(data.messages);
      } catch (err) {
        if (bubble) bubble.remove(); // not sent: the text stays in the input instead
        if (!isStale(err)) return showError(err, fromInput);
        try { await restart(fromInput); } catch (err2) { showError(err2, fromInput); }
      }
    }, true);
  }

  function newConversation() {
    return withBusy(async () => {
      setToken(null);
      ui.log.replaceChildren();
      try { await startSession(); } catch (err) { showError(err, false); }
    }, true);
  }

  function start(refocus) {
    if (state.started) return;
    state.started = true;
    const configured = api('config').then(applyConfig, () => { /* keep the defaults */ });
    try { localStorage.removeItem(TOKEN_KEY); } catch (e) { /* where earlier versions kept it */ }
    try { state.token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { state.token = null; }
    document.addEventListener('visibilitychange', expireIfDue);
    window.addEventListener('focus', expireIfDue);
    withBusy(async () => {
      try {
        await configured; // the texts that go with answers (e.g. "Was this helpful?") first
        await (state.token ? loadHistory() : startSession());
      } catch (err) {
        showError(err, false);
      }
    }, refocus);
  }

  // ---- rendering messages --------------------------------------------------

  function addBotMessages(list) {
    let first = null;
    closeChecklists(); // an earlier screen's list is answered: only the newest can be sent
    for (const m of Array.isArray(list) ? list : []) {
      if (!m || typeof m !== 'object') continue;
      const node = addMessage('bot', typeof m.text === 'string' ? m.text : '', m.buttons, m.checklist, m.feedback);
      first = first || node;
    }
    if (first) ui.log.scrollTop = Math.max(0, first.offsetTop - 8); // show the start of the reply
  }

  function addMessage(sender, message, buttons, checklist, feedback) {
    const isUser = sender === 'user';
    const replies = isUser || !Array.isArray(buttons) ? []
      : buttons.filter((b) => b && typeof b.title === 'string' && b.title.trim());
    if (!message.trim() && !replies.length) return null;
    const form = !isUser && checklist && typeof checklist === 'object' ? checklistForm(checklist) : null;
    const body = el('div', { className: 'cce-msg__body' },
      isUser ? text(message) : form || renderRich(message));
    const msg = el('div', { className: 'cce-msg cce-msg--' + (isUser ? 'user' : 'bot') },
      hiddenText(isUser ? 'You said: ' : 'Assistant: '), body);
    if (!isUser && SUMMARY_RE.test(message)) msg.appendChild(summaryTools(message, body));
    if (!isUser && typeof feedback === 'string') {
      const tools = feedbackTools(feedback);
      if (tools) msg.appendChild(tools);
    }
    if (replies.length) {
      const group = el('div', { className: 'cce-msg__replies', role: 'group', 'aria-label': 'Reply options' });
      for (const b of replies) {
        const payload = typeof b.payload === 'string' && b.payload ? b.payload : b.title;
        const button = group.appendChild(el('button', { type: 'button', className: 'cce-reply' }, b.title));
        button.disabled = state.busy;
        button.addEventListener('click', () => send(payload, b.title, false));
      }
      msg.appendChild(group);
    }
    return ui.log.appendChild(msg);
  }

  /**
   * A screen of the indicator check: for each item a "seen" checkbox and a "Not known" one
   * (ticking one clears the other; neither means not seen). Items recognised in the
   * practitioner's description arrive ticked. Done sends
   * /checklist{"check_theme": ..., "check_seen": [...], "check_not_known": [...]}
   * (the intent and entity names come with the checklist).
   */
  function checklistForm(checklist) {
    const str = (value) => (typeof value === 'string' ? value : '');
    const items = (Array.isArray(checklist.items) ? checklist.items : [])
      .filter((i) => i && typeof i.id === 'string' && typeof i.label === 'string');
    const names = checklist.entities && typeof checklist.entities === 'object' ? checklist.entities : {};
    if (!items.length || !str(checklist.intent) || !str(names.theme)) return null;
    const where = checklist.screen && checklist.screens ? ` (screen ${checklist.screen} of ${checklist.screens})` : '';
    const fieldset = el('fieldset', { className: 'cce-checklist' },
      el('legend', { className: 'cce-checklist__title' }, str(checklist.title) + where));
    if (str(checklist.prompt)) fieldset.appendChild(el('p', { className: 'cce-checklist__prompt' }, str(checklist.prompt)));
    if (str(checklist.marked)) fieldset.appendChild(el('p', { className: 'cce-checklist__prompt' }, str(checklist.marked)));
    const rows = [];
    for (const item of items) {
      const seenId = 'cce-seen-' + (++uid), unknownId = 'cce-unknown-' + uid;
      const seen = el('input', { type: 'checkbox', id: seenId, className: 'cce-check__box' });
      const unknown = el('input', { type: 'checkbox', id: unknownId, className: 'cce-check__box' });
      seen.checked = item.preselected === true;
      seen.addEventListener('change', () => { if (seen.checked) unknown.checked = false; });
      unknown.addEventListener('change', () => { if (unknown.checked) seen.checked = false; });
      fieldset.appendChild(el('div', { className: 'cce-check' },
        el('span', { className: 'cce-check__seen' }, seen, el('label', { for: seenId }, item.label)),
        el('span', { className: 'cce-check__unknown' }, unknown,
          el('label', { for: unknownId }, 'Not known', hiddenText(': ' + item.label)))));
      rows.push({ item, seen, unknown });
    }
    const done = el('button', { type: 'submit', className: 'cce-checklist__done cce-reply' }, 'Done');
    const form = el('form', { className: 'cce-checklist-form', novalidate: true }, fieldset, done);
    if (str(checklist.source)) form.appendChild(el('p', { className: 'cce-source' }, str(checklist.source)));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (state.busy || fieldset.disabled) return;
      const seen = rows.filter((r) => r.seen.checked).map((r) => r.item);
      const unknown = rows.filter((r) => r.unknown.checked).map((r) => r.item);
      const entities = { [names.theme]: checklist.theme };
      entities[str(names.seen) || 'check_seen'] = seen.map((i) => i.id);
      entities[str(names.not_known) || 'check_not_known'] = unknown.map((i) => i.id);
      let shown = seen.length ? 'Seen: ' + seen.map((i) => i.label).join('; ') + '.' : 'None of these seen.';
      if (unknown.length) shown += ' Not known: ' + unknown.map((i) => i.label).join('; ') + '.';
      send('/' + checklist.intent + JSON.stringify(entities), shown, false);
    });
    return form;
  }

  /**
   * "Was this helpful?" under a guidance answer: one click records it (POST /feedback); after
   * "No", an optional reason from a short list. The texts come from the server's /config.
   */
  function feedbackTools(answerId) {
    const texts = state.feedback;
    if (!texts || !/^[0-9a-f]{24}$/.test(answerId)) return null;
    const group = el('div', { className: 'cce-feedback', role: 'group', 'aria-label': String(texts.question || '') });
    const button = (label, onClick) => {
      const node = el('button', { type: 'button', className: 'cce-tool' }, String(label || ''));
      node.addEventListener('click', onClick);
      return node;
    };
    const thanks = () => group.replaceChildren(el('span', { className: 'cce-feedback__note', role: 'status' },
      String(texts.thanks || '')));
    const record = (helpful, reason) => api('feedback', { token: state.token, answer_id: answerId, helpful, reason })
      .then(() => true, (err) => { showNotice(err && err.serverMessage ? err.serverMessage : 'Sorry, that could not be recorded.'); return false; });
    const reasons = () => {
      const list = Array.isArray(texts.reasons) ? texts.reasons : [];
      group.replaceChildren(el('span', { className: 'cce-feedback__note', role: 'status' }, String(texts.why || '')),
        ...list.filter((r) => r && typeof r.id === 'string').map((r) =>
          button(r.label, () => record(false, r.id).then((ok) => ok && thanks()))));
      const first = group.querySelector('button');
      if (first) first.focus();
    };
    group.append(el('span', { className: 'cce-feedback__note' }, String(texts.question || '')),
      button(texts.yes, () => record(true, null).then((ok) => ok && thanks())),
      button(texts.no, () => record(false, null).then((ok) => ok && reasons())));
    return group;
  }

  function closeChecklists() {
    if (!ui.log) return;
    ui.log.querySelectorAll('.cce-checklist').forEach((fieldset) => { fieldset.disabled = true; });
    ui.log.querySelectorAll('.cce-checklist__done').forEach((button) => { button.hidden = true; });
  }

  function summaryTools(message, body) {
    const plain = message.replace(/\*\*/g, '');
    const copy = el('button', { type: 'button', className: 'cce-tool' }, 'Copy summary');
    const download = el('button', { type: 'button', className: 'cce-tool' }, 'Download summary');
    copy.addEventListener('click', () => {
      const copied = navigator.clipboard ? navigator.clipboard.writeText(plain) : Promise.reject(new Error('no clipboard'));
      copied.then(() => showNotice('Summary copied to the clipboard.'), () => {
        const range = document.createRange(); // fallback: select it for the user to copy
        range.selectNodeContents(body);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        showNotice('Summary selected: press Ctrl+C (or Cmd+C on a Mac) to copy it.');
      });
    });
    download.addEventListener('click', () => {
      const url = URL.createObjectURL(new Blob([plain], { type: 'text/plain;charset=utf-8' }));
      const link = el('a', { href: url, download: 'indicator-check-summary.txt', hidden: true });
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      showNotice('Summary downloaded as indicator-check-summary.txt.');
    });
    return el('div', { className: 'cce-msg__tools' }, copy, download);
  }

  function showError(err, kept) {
    let message = 'Sorry, the assistant could not be reached just now.';
    if (err && err.name === 'AbortError') message = 'Sorry, the assistant took too long to reply.';
    else if (err && err.status >= 400 && err.status < 500 && err.serverMessage) message = err.serverMessage;
    if (kept) message += ' Your message has not been sent and is still in the box below, so you can try again.';
    // Always ends "If a child is in immediate danger, call 999." (the number is a tel: link).
    ui.log.appendChild(el('div', { className: 'cce-msg cce-msg--error' }, el('strong', null, 'Problem: '),
      message + ' If a child is in immediate danger, call ', el('a', { href: 'tel:999' }, '999'), '.'));
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function addNotice(message) {
    ui.log.appendChild(el('div', { className: 'cce-msg cce-msg--notice' }, el('strong', null, 'Note: '), message));
  }

  /** A short message in the polite status region (e.g. "Summary copied"). */
  function showNotice(message) {
    if (state.busy) return;
    ui.statusText.textContent = message;
    clearTimeout(state.noticeTimer);
    state.noticeTimer = setTimeout(() => { if (!state.busy) ui.statusText.textContent = ''; }, 6000);
  }

  // ---- building the widget -------------------------------------------------

  function setTitle(title) {
    ui.title.textContent = title;
    if (ui.launcher) ui.launcher.textContent = title;
  }

  function open() {
    if (!state.floating) return;
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.launcher.setAttribute('aria-expanded', 'true');
    start(true); // the input gets the focus once the conversation has loaded
    (ui.input.disabled ? ui.log : ui.input).focus();
  }

  function close() {
    if (!state.floating) return;
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.launcher.setAttribute('aria-expanded', 'false');
    ui.launcher.focus();
  }

  function injectCss(done) {
    const href = SERVER + '/webhooks/web/static/widget.css';
    if (Array.from(document.querySelectorAll('link[rel="stylesheet"]')).some((l) => l.href === href)) return done();
    const link = el('link', { rel: 'stylesheet', href });
    link.addEventListener('load', done);
    link.addEventListener('error', done);
    document.head.appendChild(link);
    setTimeout(done, 3000); // show the widget even if neither event fires
  }

  function mount() {
    const container = attr('container') ? document.getElementById(attr('container')) : null;
    state.floating = !container;
    const id = (name) => 'cce-' + name + '-' + (++uid);
    const titleId = id('title'), panelId = id('panel'), inputId = id('input'), privacyId = id('privacy');
    const title = attr('title') || 'CCE practitioner assistant';

    ui.root = el('div', { className: 'cce-root cce-root--' + (state.floating ? 'floating' : 'embedded'), hidden: true });
    if (/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(attr('primary'))) {
      ui.root.style.setProperty('--cce-primary', attr('primary')); // CSSOM: allowed under a strict CSP
    }
    ui.title = el('h2', { className: 'cce-title', id: titleId }, title);
    ui.emergency = el('a', { className: 'cce-emergency', href: 'tel:999' }, 'Child in immediate danger? Call 999');
    ui.frontDoor = el('p', { className: 'cce-frontdoor', hidden: true }); // filled in from /config
    const top = el('div', { className: 'cce-header__top' }, ui.title);
    if (state.floating) {
      top.appendChild(el('button', { type: 'button', className: 'cce-close' }, 'Close', hiddenText(' the assistant')))
        .addEventListener('click', close);
    }
    const header = el('header', { className: 'cce-header' }, top,
      el('p', { className: 'cce-emergency-line' }, ui.emergency), ui.frontDoor);

    ui.log = el('div', { className: 'cce-log', role: 'log', 'aria-live': 'polite',
      'aria-label': 'Conversation with the assistant', tabindex: '0' });
    ui.statusText = el('span', { className: 'cce-status__text' });
    ui.status = el('div', { className: 'cce-status', role: 'status', 'aria-live': 'polite' }, ui.statusText,
      el('span', { className: 'cce-dots', 'aria-hidden': 'true' }, el('span', null, '.'), el('span', null, '.'), el('span', null, '.')));

    ui.input = el('input', { className: 'cce-input', id: inputId, type: 'text', name: 'message',
      autocomplete: 'off', enterkeyhint: 'send', 'aria-describedby': privacyId });
    ui.send = el('button', { type: 'submit', className: 'cce-send' }, 'Send');
    ui.reset = el('button', { type: 'button', className: 'cce-reset' }, 'Start a new conversation');
    ui.reset.addEventListener('click', newConversation);
    const form = el('form', { className: 'cce-form', novalidate: true },
      el('label', { className: 'cce-label', for: inputId }, 'Your message'),
      el('div', { className: 'cce-form__row' }, ui.input, ui.send),
      el('p', { className: 'cce-privacy', id: privacyId }, "Please don't type names or other details that could identify a child or family."),
      ui.reset, pageLinks());
    form.addEventListener('submit', (event) => { // Enter in the input submits too
      event.preventDefault();
      const message = ui.input.value.trim();
      if (message && !state.busy) send(message, message, true);
    });

    ui.panel = el('section', { className: 'cce-widget', id: panelId, 'aria-labelledby': titleId },
      header, ui.log, ui.status, form);
    if (state.floating) {
      ui.launcher = el('button', { type: 'button', className: 'cce-launcher', 'aria-expanded': 'false', 'aria-controls': panelId }, title);
      ui.launcher.addEventListener('click', open);
      ui.panel.hidden = true;
      ui.panel.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });
      ui.root.appendChild(ui.launcher);
    }
    ui.root.appendChild(ui.panel);
    (container || document.body).appendChild(ui.root);
    injectCss(() => { ui.root.hidden = false; });
    if (!state.floating) start(false); // the floating panel starts its conversation when first opened
  }

  window.CCEAssistant = Object.freeze({ version: '1.0.0', open, close, reset: newConversation });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
  else mount();
})();

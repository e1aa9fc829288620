// The sandbox chat page: pick a person, an app and a chat, then talk to the bot as they would.
// Plain JavaScript, no build step. Message text only ever goes into text nodes, never innerHTML.
// STRINGS (the page's words in vi and en) comes from strings.js, loaded first.
"use strict";

const ROLE_ORDER = ["collaborator", "officer", "supervisor", "admin", ""];

// A few commands each role would type; tapping one puts it in the input box.
function hintsFor(role) {
  const due = new Date(Date.now() + 7 * 86400000);
  const han = `han ${due.getDate()}/${due.getMonth() + 1}`;
  return {
    collaborator: ["/baocao sinh 2, chet 1", "/cuatoi", "ok 1", "/toi", "/trogiup"],
    officer: [`/chithi all: Họp giao ban dân số 8:00 thứ Hai. ${han}`, "/duyet", "/tinhtrang",
      "/tonghop", "/thieu", "/trogiup"],
    supervisor: ["/tonghop", "/xuat", "/tinhtrang", "/thieu", "/trogiup"],
    admin: ["/duyet", "/vaitro", "/tonghop", "/trogiup"],
    "": ["/batdau", "/dangky ", "/toi", "/trogiup"],
  }[role] || ["/trogiup"];
}

const S = {
  lang: localStorage.getItem("sandbox.lang") === "en" ? "en" : "vi",
  district: "",
  personas: [],
  persona: null,
  app: "telegram",
  where: "private",
  chat: null,
  messages: new Map(),
  replyTo: null,
  events: null,
  retryTimer: null,
  gen: 0,
};

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

function t(key, params) {
  let s = STRINGS[S.lang][key] ?? STRINGS.vi[key] ?? key;
  for (const [k, v] of Object.entries(params || {})) s = s.replace(`{${k}}`, String(v));
  return s;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "testid") node.dataset.testid = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

// The server puts a token in the page it serves; every call that changes something carries it
// (another site's page cannot read it, so it cannot act here as a demo person).
const TOKEN = document.querySelector('meta[name="sandbox-token"]')?.content || "";

async function api(path, body) {
  const headers = { "X-Sandbox-Token": TOKEN };
  const opts = body === undefined ? { headers } : {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const resp = await fetch(path, opts);
  let data = null;
  try { data = await resp.json(); } catch { /* not JSON: report the status below */ }
  if (!resp.ok || (data && data.ok === false)) {
    const err = new Error((data && data.error) || `HTTP ${resp.status}`);
    err.code = data && data.code;
    err.params = (data && data.params) || {};
    throw err;
  }
  return data;
}

// A refusal in the trainee's language when the server names it, else its own words.
function failed(err) {
  const words = err.code && STRINGS[S.lang][`refused_${err.code}`];
  toast(words ? t(`refused_${err.code}`, appParams(err.params)) : t("error", { e: err.message }), true);
}

function toast(text, isError) {
  const node = el("div", { class: isError ? "toast error" : "toast", testid: "toast", text });
  $("toasts").append(node);
  setTimeout(() => node.remove(), isError ? 6000 : 4000);
}

// ---- the top bar -------------------------------------------------------------------------

function groupAllowed() {
  return Boolean(S.persona && S.persona.has_group) && S.app === "telegram";
}

function fillPersonas() {
  const select = $("persona");
  select.replaceChildren();
  for (const role of ROLE_ORDER) {
    const people = S.personas.filter((p) => (p.role || "") === role);
    if (!people.length) continue;
    const label = S.lang === "vi" && people[0].role_label ? people[0].role_label : t(`role_${role}`);
    const group = el("optgroup", { label });
    for (const p of people) {
      const where = [p.area, p.commune && p.commune !== p.area ? p.commune : ""].filter(Boolean);
      const text = where.length ? `${p.name} — ${where.join(", ")}` : p.name;
      group.append(el("option", { value: p.id, text }));
    }
    select.append(group);
  }
  if (S.persona) select.value = S.persona.id;
}

function applyStrings() {
  document.documentElement.lang = S.lang;
  document.title = t("page_title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
    node.title = t(node.dataset.i18nLabel);
  }
  $("lang").textContent = S.lang === "vi" ? "EN" : "VI";
  $("district").textContent = S.district;
  fillPersonas();
  updateControls();
  renderAll();
}

function updateControls() {
  document.body.dataset.app = S.app;
  for (const b of $("app-toggle").querySelectorAll("button")) {
    b.setAttribute("aria-pressed", String(b.dataset.value === S.app));
  }
  const group = $("where-group");
  group.disabled = !groupAllowed();
  group.title = group.disabled ? t(S.app === "zalo" ? "zalo_no_group" : "no_group") : "";
  for (const b of $("where-toggle").querySelectorAll("button")) {
    b.setAttribute("aria-pressed", String(b.dataset.value === S.where));
  }
  const note = S.app === "zalo" ? t("note_zalo", { max: maxText() })
    : t(S.where === "group" ? "note_tg_group" : "note_tg_private", { max: maxText() });
  $("chat-note").textContent = note;
  $("input").placeholder = t(S.where === "group" ? "placeholder_group" : "placeholder");
  const hint = $("hint");
  hint.replaceChildren(el("span", { class: "sr-only", text: t("try") }));
  for (const cmd of hintsFor(S.persona ? S.persona.role || "" : "")) {
    const chip = el("button", { type: "button", testid: "hint-command", text: cmd });
    chip.addEventListener("click", () => { $("input").value = cmd; updateCounter(); $("input").focus(); });
    hint.append(chip);
  }
  updateCounter();
}

function maxText() {
  return (S.chat && S.chat.max_text) || (S.app === "zalo" ? 2000 : 4096);
}

// What the message would count as the bot counts it (bot/core/text.py counted_length: the
// larger of code points and UTF-16 units, which is a JavaScript string's length), once trimmed
// as the server trims it.
function counted(text) {
  return text.trim().length;
}

function appParams(params) {
  return { app: S.app === "zalo" ? "Zalo" : "Telegram", ...params };
}

function tooLong() {
  return counted($("input").value) > maxText();
}

function updateCounter() {
  const counter = $("counter");
  const n = counted($("input").value);
  const over = n > maxText();
  counter.hidden = n === 0 && S.app !== "zalo"; // Zalo's short limit is shown at once
  counter.textContent = t(over ? "counter_over" : "counter", appParams({ n, max: maxText() }));
  counter.classList.toggle("over", over);
  $("input").setAttribute("aria-invalid", String(over));
  $("send").disabled = over;
}

function setStatus(state) {
  const node = $("status");
  node.dataset.state = state;
  node.title = t(`status_${state}`);
}

// ---- the chat ----------------------------------------------------------------------------

function isMine(m) {
  if (m.from_bot || !S.persona) return false;
  if (m.sender_id !== undefined) return String(m.sender_id) === S.persona.id;
  return m.sender === S.persona.name;
}

// Text with its links made clickable: absolute http(s) links and the bot's signed file links.
function linkified(text) {
  const frag = document.createDocumentFragment();
  const re = /(https?:\/\/[^\s<>"']+|\/sandbox\/f\/[^\s<>"']+)/g;
  let last = 0;
  for (const match of text.matchAll(re)) {
    let url = match[0];
    const trail = url.match(/[.,;:!?)\]»]+$/);
    if (trail) url = url.slice(0, -trail[0].length);
    frag.append(text.slice(last, match.index));
    frag.append(el("a", { href: url, target: "_blank", rel: "noopener", testid: "message-link", text: url }));
    last = match.index + url.length;
  }
  frag.append(text.slice(last));
  return frag;
}

function renderMessage(m) {
  const mine = isMine(m);
  const li = el("li", {
    class: `msg${m.from_bot ? " from-bot" : ""}${mine ? " mine" : ""}${S.replyTo === m.id ? " reply-target" : ""}`,
    testid: "message",
    "data-id": m.id,
    "data-from-bot": m.from_bot ? "1" : "0",
  });
  if (S.chat && S.chat.kind === "group" && !mine) {
    li.append(el("div", { class: "sender", testid: "message-sender", text: m.sender }));
  }
  if (m.reply_to) {
    const quoted = S.messages.get(String(m.reply_to));
    const text = quoted ? `${quoted.sender}: ${quoted.text || (quoted.file && quoted.file.name) || ""}` : `#${m.reply_to}`;
    li.append(el("div", { class: "quote", testid: "message-quote", text }));
  }
  const file = m.file;
  if (file && file.kind === "photo") {
    const img = el("img", { src: file.url, alt: file.name || t("open_image"), testid: "message-image", loading: "lazy" });
    img.addEventListener("load", () => stickToBottom());
    li.append(el("a", { class: "photo", href: file.url, target: "_blank", rel: "noopener", title: t("open_image"), testid: "message-photo" }, img));
  } else if (file) {
    li.append(el("a", { class: "file-link", href: file.url, download: file.name || true, testid: "message-file", text: `📄 ${file.name || file.url}` }));
  }
  if (m.text) li.append(el("div", { class: "text", testid: "message-text" }, linkified(m.text)));
  const rows = (S.chat && S.chat.buttons && S.app === "telegram" && m.buttons) || [];
  if (rows.length) {
    const keyboard = el("div", { class: "keyboard", testid: "message-buttons" });
    for (const row of rows) {
      const line = el("div", { class: "row" });
      for (const b of row) {
        const button = el("button", { type: "button", testid: "message-button", "data-data": b.data, text: b.label });
        button.addEventListener("click", () => press(m.id, b.data));
        line.append(button);
      }
      keyboard.append(line);
    }
    li.append(keyboard);
  }
  const meta = el("div", { class: "meta" });
  if (m.pinned) meta.append(el("span", { testid: "message-pinned", text: t("pinned") }));
  if (m.edited) meta.append(el("span", { testid: "message-edited", text: t("edited") }));
  meta.append(el("span", { text: m.time || "" }));
  li.append(meta);
  if (m.from_bot) {
    li.addEventListener("click", (ev) => {
      if (ev.target.closest("a, button")) return;
      setReply(S.replyTo === m.id ? null : m.id);
    });
  }
  return li;
}

function compareIds(a, b) {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return String(a).localeCompare(String(b));
}

function nearBottom() {
  const box = document.querySelector(".chat");
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

function stickToBottom(force) {
  const box = document.querySelector(".chat");
  if (force || box.dataset.stick !== "0") box.scrollTop = box.scrollHeight;
}

// Add a message, or replace the one with the same id (an edit, or the echo of our own send).
function upsert(m) {
  m.id = String(m.id);
  const stick = nearBottom();
  S.messages.set(m.id, m);
  const list = $("messages");
  const node = renderMessage(m);
  const old = list.querySelector(`[data-id="${CSS.escape(m.id)}"]`);
  if (old) {
    old.replaceWith(node);
  } else {
    const after = [...list.children].find((c) => compareIds(c.dataset.id, m.id) > 0);
    list.insertBefore(node, after || null);
  }
  $("empty").hidden = S.messages.size > 0;
  if (stick || isMine(m)) stickToBottom(true);
}

function renderAll() {
  const list = $("messages");
  list.replaceChildren();
  const sorted = [...S.messages.values()].sort((a, b) => compareIds(a.id, b.id));
  for (const m of sorted) list.append(renderMessage(m));
  $("empty").hidden = S.messages.size > 0;
}

function setReply(id) {
  S.replyTo = id;
  const bar = $("reply-bar");
  bar.hidden = !id;
  const m = id && S.messages.get(id);
  $("reply-text").textContent = m ? (m.text || (m.file && m.file.name) || "").split("\n")[0] : "";
  for (const node of $("messages").children) node.classList.toggle("reply-target", node.dataset.id === id);
  if (id) $("input").focus();
}

// ---- talking to the server ----------------------------------------------------------------

function query(extra) {
  const p = new URLSearchParams({ persona: S.persona.id, app: S.app, where: S.where, ...extra });
  return p.toString();
}

async function loadChat(gen) {
  // The page's language is the person's too: the bot answers them in it.
  const chat = await api(`/sandbox/api/chat?${query({ lang: S.lang })}`);
  if (gen !== S.gen) return false;
  S.chat = chat;
  $("chat-title").textContent = chat.title || "";
  for (const m of chat.messages || []) upsert(m);
  return true;
}

function closeEvents() {
  clearTimeout(S.retryTimer);
  if (S.events) S.events.close();
  S.events = null;
}

function openEvents(gen) {
  closeEvents();
  const es = new EventSource(`/sandbox/api/events?${query()}`);
  S.events = es;
  const mine = (fn) => (ev) => { if (gen === S.gen) fn(JSON.parse(ev.data || "{}")); };
  es.addEventListener("open", async () => {
    // Fill whatever was said between loading the chat (or losing the stream) and now.
    try {
      if (await loadChat(gen)) setStatus("live");
    } catch (err) {
      toast(t("error", { e: err.message }), true);
    }
  });
  es.addEventListener("message", mine(upsert));
  es.addEventListener("edit", mine(upsert));
  es.addEventListener("toast", mine((d) => toast(d.text || "")));
  es.addEventListener("reset", mine(() => reloadAll()));
  es.addEventListener("error", () => {
    if (gen !== S.gen) return;
    setStatus("retry");
    if (es.readyState === EventSource.CLOSED) {
      S.retryTimer = setTimeout(() => { if (gen === S.gen) openEvents(gen); }, 2000);
    }
  });
}

async function openChat() {
  const gen = ++S.gen;
  closeEvents();
  setStatus("off");
  S.messages.clear();
  S.chat = null;
  setReply(null);
  renderAll();
  if (!groupAllowed()) S.where = "private";
  updateControls();
  if (!S.persona) return;
  localStorage.setItem("sandbox.persona", S.persona.id);
  try {
    if (!(await loadChat(gen))) return;
  } catch (err) {
    failed(err);
  }
  S.persona.app = S.app; // choosing an app switches the person to it, like changing phones
  updateControls();
  openEvents(gen);
  refreshPersonas();
}

// Roles change as people talk (a newcomer approved is a collaborator now): keep the picker and
// the hints current without touching the open chat.
async function refreshPersonas() {
  try {
    const state = await api("/sandbox/api/state");
    S.personas = (state.personas || []).map((p) => ({ ...p, id: String(p.id) }));
    const current = S.persona && S.personas.find((p) => p.id === S.persona.id);
    if (current) S.persona = { ...current, app: S.app };
    fillPersonas();
    updateControls();
  } catch { /* the next switch tries again */ }
}

// The trainee picked another person, app or chat: an answer to a press stays with its chat.
function switchChat() {
  $("toasts").replaceChildren();
  openChat();
}

async function reloadAll() {
  const state = await api("/sandbox/api/state");
  S.district = state.district || "";
  S.personas = (state.personas || []).map((p) => ({ ...p, id: String(p.id) }));
  const keep = S.persona ? S.persona.id : localStorage.getItem("sandbox.persona");
  S.persona = S.personas.find((p) => p.id === keep)
    || S.personas.find((p) => p.role === "collaborator") || S.personas[0] || null;
  if (S.persona) S.app = S.persona.app || "telegram";
  applyStrings();
  await openChat();
}

async function send() {
  const input = $("input");
  const text = input.value;
  if (!text.trim() || !S.persona) return;
  if (tooLong()) {
    // Like the app itself: a message over its limit is not sent; the text stays to shorten.
    toast(t("refused_too_long", appParams({ n: counted(text), max: maxText() })), true);
    return;
  }
  const body = { persona: S.persona.id, app: S.app, where: S.where, text, reply_to: S.replyTo };
  input.value = "";
  setReply(null);
  updateCounter();
  try {
    const answer = await api("/sandbox/api/say", body);
    if (answer && answer.message) upsert(answer.message);
  } catch (err) {
    if (!input.value) input.value = text;
    updateCounter();
    failed(err);
  }
}

async function press(messageId, data) {
  try {
    await api("/sandbox/api/press", {
      persona: S.persona.id, app: S.app, where: S.where, message_id: messageId, data,
    });
  } catch (err) {
    failed(err);
  }
}

// The trainee switched the page's language: the person they act as reads the bot in it too.
async function useLanguage() {
  if (!S.persona) return;
  try {
    await api("/sandbox/api/language", { persona: S.persona.id, app: S.app, lang: S.lang });
  } catch (err) {
    failed(err);
  }
}

// ---- wiring ------------------------------------------------------------------------------

function init() {
  $("persona").addEventListener("change", (ev) => {
    S.persona = S.personas.find((p) => p.id === ev.target.value) || null;
    if (S.persona) S.app = S.persona.app || "telegram";
    switchChat();
  });
  $("app-toggle").addEventListener("click", (ev) => {
    const b = ev.target.closest("button");
    if (!b || b.dataset.value === S.app) return;
    S.app = b.dataset.value;
    switchChat();
  });
  $("where-toggle").addEventListener("click", (ev) => {
    const b = ev.target.closest("button");
    if (!b || b.disabled || b.dataset.value === S.where) return;
    S.where = b.dataset.value;
    switchChat();
  });
  $("lang").addEventListener("click", () => {
    S.lang = S.lang === "vi" ? "en" : "vi";
    localStorage.setItem("sandbox.lang", S.lang);
    applyStrings();
    useLanguage();
  });
  $("reset").addEventListener("click", async () => {
    if (!window.confirm(t("reset_confirm"))) return;
    try {
      await api("/sandbox/api/reset", {});
      await reloadAll();
      toast(t("reset_done"));
    } catch (err) {
      toast(t("error", { e: err.message }), true);
    }
  });
  $("reply-cancel").addEventListener("click", () => setReply(null));
  $("form").addEventListener("submit", (ev) => { ev.preventDefault(); send(); });
  const input = $("input");
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      send();
    }
  });
  input.addEventListener("input", () => {
    updateCounter();
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  });
  const box = document.querySelector(".chat");
  box.addEventListener("scroll", () => { box.dataset.stick = nearBottom() ? "1" : "0"; });
  applyStrings();
  reloadAll().catch((err) => toast(t("error", { e: err.message }), true));
}

document.addEventListener("DOMContentLoaded", init);

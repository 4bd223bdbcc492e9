// TwitchCare "My diary": the Telegram Mini App page. Plain modern JS, no build step, no
// third-party script: the CSP allows only this origin (docs/ARCHITECTURE.md, "The page").
//
// Launch parameters come from location.hash as Telegram passes them (tgWebAppData,
// tgWebAppThemeParams). `#exercise=breathing` or `#exercise=eyes` opens that exercise.
// Test hook: `twitchcareSpeed=N` in the hash (1..600) runs the exercise timers N times faster;
// it only changes the clock of the page, the server decides what a completion is.

const launch = new URLSearchParams(location.hash.slice(1));
const query = new URLSearchParams(location.search);
const initData = launch.get("tgWebAppData") || "";
const speed = Math.min(600, Math.max(1, Number(launch.get("twitchcareSpeed")) || 1));
const BREATHING_SECONDS = 300;
const BREATH_PHASES = ["inhale", "hold", "exhale", "rest"];
const PHASE_SECONDS = 4;
const EYE_STEPS = [
  ["eyes_far", 20],
  ["eyes_blink", 20],
  ["eyes_focus", 30],
  ["eyes_compress", 300],
];
const SIGN_FIELDS_KEY = "signs";
// Shown only when the page could not get its texts at all (no initData, no network).
const FALLBACK = {
  error_unauthorized: "Open this page from the chat with TwitchCare.",
  error_network: "Can't reach TwitchCare right now. Check your connection and try again.",
  error_generic: "Something went wrong. Please try again.",
};

const state = { texts: {}, diary: null, settings: null, stopTimer: null, retry: null };
const $ = (id) => document.getElementById(id);

// --- Telegram bridge ------------------------------------------------------------------------

function postEvent(eventType, eventData = {}) {
  const payload = JSON.stringify({ eventType, eventData });
  try {
    if (window.TelegramWebviewProxy) {
      window.TelegramWebviewProxy.postEvent(eventType, JSON.stringify(eventData));
    } else if (window.external && "notify" in window.external) {
      window.external.notify(payload);
    } else if (window.parent !== window) {
      window.parent.postMessage(payload, "*");
    }
  } catch {
    // Outside Telegram there is nobody to tell.
  }
}

function receiveEvent(eventType, eventData) {
  if (eventType === "theme_changed" && eventData) applyTheme(eventData.theme_params);
}

window.Telegram = { WebView: { receiveEvent } };
window.addEventListener("message", (event) => {
  try {
    const { eventType, eventData } = JSON.parse(event.data);
    receiveEvent(eventType, eventData);
  } catch {
    // Not a Telegram event.
  }
});

const THEME_KEYS = {
  bg_color: "--bg",
  text_color: "--text",
  hint_color: "--hint",
  link_color: "--link",
  button_color: "--button",
  button_text_color: "--button-text",
  secondary_bg_color: "--secondary-bg",
};

function applyTheme(theme) {
  if (!theme || typeof theme !== "object") return;
  const root = document.documentElement;
  for (const [key, property] of Object.entries(THEME_KEYS)) {
    const colour = theme[key];
    if (typeof colour === "string" && /^#[0-9a-f]{6}$/i.test(colour)) {
      root.style.setProperty(property, colour);
    }
  }
  if (typeof theme.bg_color === "string") root.classList.toggle("dark", isDark(theme.bg_color));
}

function isDark(hex) {
  const n = parseInt(hex.slice(1), 16);
  const luminance = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luminance < 128;
}

function parsedTheme() {
  try {
    return JSON.parse(launch.get("tgWebAppThemeParams") || "null");
  } catch {
    return null;
  }
}

// --- Texts ----------------------------------------------------------------------------------

function t(key, values = {}) {
  const text = state.texts[key] ?? FALLBACK[key] ?? "";
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function translateStatic() {
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  document.title = t("app_title");
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Telegram-HTML from the server (the advice), rebuilt from its text and a few plain tags: no
// attribute, script or style from the string ever reaches the page.
const KEPT_TAGS = new Set(["B", "STRONG", "I", "EM", "U", "S", "CODE", "BR"]);
const DROPPED_TAGS = new Set(["SCRIPT", "STYLE", "TEMPLATE"]);

function safeHtml(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const fragment = document.createDocumentFragment();
  const copy = (from, to) => {
    for (const child of from.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        to.append(child.textContent);
      } else if (child.nodeType === Node.ELEMENT_NODE && !DROPPED_TAGS.has(child.tagName)) {
        const kept = KEPT_TAGS.has(child.tagName) ? document.createElement(child.tagName) : null;
        copy(child, kept || to);
        if (kept) to.append(kept);
      }
    }
  };
  copy(parsed.body, fragment);
  return fragment;
}

// --- The API --------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(kind, message) {
    super(message || kind);
    this.kind = kind;
    this.serverMessage = message;
  }
}

function nonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function api(path, body) {
  const headers = { Authorization: `tma ${initData}` };
  const options = { method: "GET", headers, cache: "no-store", credentials: "same-origin" };
  if (body !== undefined) {
    options.method = "POST";
    headers["Content-Type"] = "application/json";
    headers["X-TwitchCare-Nonce"] = nonce();
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`api/${path}`, options);
  } catch {
    throw new ApiError("network");
  }
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    const message = data && typeof data.message === "string" ? data.message : "";
    throw new ApiError(response.status === 401 ? "unauthorized" : "generic", message);
  }
  return response;
}

const apiJson = async (path, body) => (await api(path, body)).json();

function showError(error, retry) {
  const kind = error instanceof ApiError ? error.kind : "generic";
  if (!(error instanceof ApiError)) console.error(error);
  $("error-text").textContent = (error instanceof ApiError && error.serverMessage) || t(`error_${kind}`);
  state.retry = kind === "unauthorized" ? null : retry;
  $("retry").hidden = !state.retry;
  $("error").hidden = false;
  say("");
}

function clearError() {
  $("error").hidden = true;
}

function say(text) {
  $("status").textContent = text;
}

async function attempt(action, retry = action) {
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error, retry);
  }
}

// --- Views ----------------------------------------------------------------------------------

function show(view) {
  if (state.stopTimer) {
    state.stopTimer();
    state.stopTimer = null;
  }
  for (const section of document.querySelectorAll(".view")) {
    section.hidden = section.dataset.view !== view;
  }
  for (const tab of document.querySelectorAll(".tab")) {
    if (tab.dataset.go === view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  const opener = OPEN[view];
  if (opener) attempt(opener);
}

const OPEN = {
  chart: loadChart,
  settings: loadSettings,
  breathing: runBreathing,
  eyes: runEyes,
};

// --- The week -------------------------------------------------------------------------------

async function loadDiary() {
  say(t("loading"));
  state.diary = await apiJson("diary");
  state.texts = state.diary.texts || {};
  document.documentElement.lang = state.diary.locale || "en";
  translateStatic();
  renderWeek();
  $("tabs").hidden = false;
  say("");
}

function label(list, id) {
  const found = (list || []).find((item) => item.id === id || item.code === id);
  return found ? found.label : String(id);
}

function renderWeek() {
  const diary = state.diary;
  $("no-profile").hidden = diary.status !== "none";
  renderAdvice($("week-advice"), diary.advice);
  const list = $("days");
  list.replaceChildren(...diary.days.map(renderDay));
}

function renderAdvice(box, advice) {
  box.hidden = !advice;
  if (!advice) return;
  box.replaceChildren(element("h3", "", t("advice_heading")), safeHtml(advice.html));
  box.dataset.level = advice.level;
}

function renderDay(day) {
  const item = element("li", "day");
  item.dataset.day = day.day;
  const heading = element("h3", "", `${t("day_title", { day: day.day })} · ${day.date_label}`);
  if (day.day === state.diary.today_day) heading.append(" ", element("span", "badge", t("today_badge")));
  item.append(heading);
  item.append(day.checkin ? checkinFacts(day.checkin) : element("p", "muted", t("no_checkin")));
  item.append(signsLine(day), element("p", "logged", t("logged", { count: day.episodes })));
  if (day.exercises.length) {
    const names = day.exercises.map((kind) => t(`${kind}_title`)).join(", ");
    item.append(element("p", "exercises", `${t("exercises_done")}: ${names}`));
  }
  if (day.day <= state.diary.today_day) {
    const edit = element("button", "button secondary", t(day.checkin ? "correct_day" : "add_checkin"));
    edit.type = "button";
    edit.addEventListener("click", () => openEdit(day));
    item.append(edit);
  }
  return item;
}

function checkinFacts(checkin) {
  const choices = state.diary.choices;
  const facts = element("dl", "facts");
  const rows = [
    [t("where"), label(choices.twitch_location, checkin.twitch_location)],
    [t("episodes"), String(checkin.episodes_per_day)],
    [t("longest"), label(choices.worst_duration, checkin.worst_duration)],
  ];
  for (const [term, value] of rows) facts.append(element("dt", "", term), element("dd", "", value));
  const habits = t("habits", {
    sleep: checkin.sleep_hours,
    caffeine: checkin.caffeine_drinks,
    stress: checkin.stress_level,
  });
  const wrapper = document.createDocumentFragment();
  wrapper.append(facts, element("p", "habits", habits));
  return wrapper;
}

function signsLine(day) {
  if (!day.signs.length) return element("p", "signs none", t("signs_none"));
  const line = element("p", "signs", `${t("signs_heading")}: `);
  line.append(day.signs.map((sign) => sign.label).join(", "));
  return line;
}

// --- The chart ------------------------------------------------------------------------------

async function loadChart() {
  const text = await (await api("chart.svg")).text();
  const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = parsed.documentElement;
  if (svg.nodeName !== "svg" || parsed.querySelector("parsererror")) throw new ApiError("generic");
  for (const node of svg.querySelectorAll("script, foreignObject")) node.remove();
  $("chart").replaceChildren(document.importNode(svg, true));
}

// --- Correcting a day -----------------------------------------------------------------------

function field(form, id, text, control) {
  const wrap = element("div", "field");
  const caption = element("label", "", text);
  caption.htmlFor = id;
  control.id = id;
  control.name = id;
  wrap.append(caption, control);
  form.append(wrap);
  return control;
}

function selectOf(options, value) {
  const select = document.createElement("select");
  for (const option of options) {
    const node = element("option", "", option.label);
    node.value = option.id;
    node.selected = String(option.id) === String(value);
    select.append(node);
  }
  select.value = String(value);
  return select;
}

function numberInput(value, min, max, step) {
  const input = document.createElement("input");
  Object.assign(input, { type: "number", min, max, step, required: true, inputMode: "decimal" });
  input.value = value ?? "";
  return input;
}

function openEdit(day) {
  const choices = state.diary.choices;
  const checkin = day.checkin || {};
  const form = $("edit-form");
  form.replaceChildren();
  form.dataset.day = day.day;
  $("edit-heading").textContent = t("edit_heading", { day: day.day });
  $("edit-advice").hidden = true;
  field(form, "twitch_location", t("field_location"), selectOf(choices.twitch_location, checkin.twitch_location));
  field(form, "episodes_per_day", t("field_episodes"), numberInput(checkin.episodes_per_day, 0, 200, 1));
  field(form, "worst_duration", t("field_duration"), selectOf(choices.worst_duration, checkin.worst_duration));
  form.append(signsFieldset(choices.signs, checkin));
  field(form, "sleep_hours", t("field_sleep"), numberInput(checkin.sleep_hours, 0, 24, 0.5));
  field(form, "caffeine_drinks", t("field_caffeine"), numberInput(checkin.caffeine_drinks, 0, 30, 1));
  const stress = [1, 2, 3, 4, 5].map((n) => ({ id: n, label: String(n) }));
  field(form, "stress_level", t("field_stress"), selectOf(stress, checkin.stress_level ?? 3));
  const buttons = element("div", "actions");
  const save = element("button", "button", t("save"));
  save.type = "submit";
  const cancel = element("button", "button secondary", t("cancel"));
  cancel.type = "button";
  cancel.addEventListener("click", () => show("week"));
  buttons.append(save, cancel);
  form.append(buttons);
  show("edit");
  form.querySelector("select").focus();
}

function signsFieldset(signs, checkin) {
  const set = element("fieldset", "field signs-set");
  set.append(element("legend", "", t("field_signs")));
  for (const sign of signs) {
    const box = document.createElement("input");
    Object.assign(box, { type: "checkbox", name: SIGN_FIELDS_KEY, value: sign.code, id: `sign-${sign.code}` });
    box.checked = Boolean(checkin[sign.code]);
    const caption = element("label", "check");
    caption.htmlFor = box.id;
    caption.append(box, " ", sign.label);
    set.append(caption);
  }
  return set;
}

function answersOf(form) {
  const value = (name) => form.elements[name].value;
  const answers = {
    twitch_location: value("twitch_location"),
    episodes_per_day: Number(value("episodes_per_day")),
    worst_duration: value("worst_duration"),
    sleep_hours: Number(value("sleep_hours")),
    caffeine_drinks: Number(value("caffeine_drinks")),
    stress_level: Number(value("stress_level")),
  };
  for (const box of form.querySelectorAll(`input[name="${SIGN_FIELDS_KEY}"]`)) answers[box.value] = box.checked;
  return answers;
}

async function saveEdit(event) {
  event.preventDefault();
  const form = $("edit-form");
  if (!form.reportValidity()) return;
  const day = Number(form.dataset.day);
  const result = await apiJson("checkin", { day, answers: answersOf(form) });
  say(t("saved"));
  renderAdvice($("edit-advice"), result.advice);
  state.diary = await apiJson("diary");
  renderWeek();
}

// --- Settings, export and delete ------------------------------------------------------------

async function loadSettings() {
  const settings = await apiJson("settings");
  state.settings = settings;
  fillZones("");
  $("wake-time").value = settings.wake_time;
  $("bedtime").value = settings.bedtime;
  const languages = $("language");
  languages.replaceChildren(...selectOf(settings.languages, settings.language).children);
  languages.value = settings.language;
  $("paused").checked = settings.paused;
}

function detectedZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return "";
  }
}

function fillZones(search) {
  const { zones, zone } = state.settings;
  const selected = $("zone").value || zone;
  const wanted = search.trim().toLowerCase();
  const matches = (z) => !wanted || z.label.toLowerCase().includes(wanted) || z.id.toLowerCase().includes(wanted);
  const here = zones.find((z) => z.id === detectedZone());
  const options = [];
  if (here && matches(here)) {
    const group = element("optgroup");
    group.label = t("zone_detected");
    group.append(zoneOption(here, selected));
    options.push(group);
  }
  options.push(...zones.filter((z) => z !== here && matches(z)).map((z) => zoneOption(z, selected)));
  $("zone").replaceChildren(...options);
  $("zone").value = selected;
}

function zoneOption(zone, selected) {
  const option = element("option", "", zone.label);
  option.value = zone.id;
  option.selected = zone.id === selected;
  return option;
}

async function saveSettings(event) {
  event.preventDefault();
  const form = $("settings-form");
  if (!form.reportValidity()) return;
  const now = {
    zone: $("zone").value || state.settings.zone,
    wake_time: $("wake-time").value,
    bedtime: $("bedtime").value,
    language: $("language").value,
    paused: $("paused").checked,
  };
  const changed = Object.fromEntries(Object.entries(now).filter(([key, value]) => value !== state.settings[key]));
  if (!Object.keys(changed).length) {
    say(t("settings_saved"));
    return;
  }
  state.settings = { ...state.settings, ...(await apiJson("settings", changed)) };
  say(t("settings_saved"));
  if ("language" in changed) await loadDiary();
}

async function exportData() {
  await apiJson("export", {});
  say(t("export_sent"));
}

async function deleteData() {
  await apiJson("delete", { confirm: true });
  $("delete-confirm").hidden = true;
  for (const section of document.querySelectorAll(".view")) section.hidden = true;
  $("tabs").hidden = true;
  say(t("deleted"));
}

// --- Guided exercises -----------------------------------------------------------------------

// Runs `total` seconds of exercise time (sped up by the test hook), calling `tick(elapsed)`;
// returns a function that stops it. The screen stays awake where the Wake Lock API exists.
function runTimer(total, tick, done) {
  const started = performance.now();
  let lock = null;
  let finished = false;
  const awake = () => navigator.wakeLock?.request("screen").then((l) => (lock = l), () => null);
  const onVisible = () => document.visibilityState === "visible" && !finished && awake();
  const stop = () => {
    finished = true;
    clearInterval(handle);
    document.removeEventListener("visibilitychange", onVisible);
    lock?.release().catch(() => null);
  };
  const step = () => {
    const elapsed = Math.min(total, ((performance.now() - started) / 1000) * speed);
    tick(elapsed);
    if (elapsed >= total) {
      stop();
      state.stopTimer = null;
      done();
    }
  };
  const handle = setInterval(step, Math.max(20, 250 / speed));
  document.addEventListener("visibilitychange", onVisible);
  awake();
  step();
  return stop;
}

function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function runBreathing() {
  const circle = $("breath");
  circle.style.transitionDuration = `${PHASE_SECONDS / speed}s`;
  circle.className = "breath";
  void circle.offsetWidth; // start small, so the first breath in grows too
  $("breath-done").hidden = true;
  let phase = "";
  state.stopTimer = runTimer(BREATHING_SECONDS, (elapsed) => {
    const now = BREATH_PHASES[Math.floor(elapsed / PHASE_SECONDS) % BREATH_PHASES.length];
    if (now !== phase) {
      phase = now;
      circle.className = `breath ${now}`;
      $("breath-phase").textContent = t(`phase_${now}`);
    }
    $("breath-left").textContent = t("time_left", { time: clock(BREATHING_SECONDS - elapsed) });
    $("breath-progress").value = elapsed / BREATHING_SECONDS;
  }, () => finish("breathing", "breath"));
}

function eyeStepAt(elapsed) {
  let end = 0;
  for (const [index, [key, seconds]] of EYE_STEPS.entries()) {
    end += seconds;
    if (elapsed < end || index === EYE_STEPS.length - 1) return { index, key, seconds, end };
  }
  return null;
}

function runEyes() {
  const total = EYE_STEPS.reduce((sum, [, seconds]) => sum + seconds, 0);
  $("eyes-done").hidden = true;
  state.stopTimer = runTimer(total, (elapsed) => {
    const step = eyeStepAt(elapsed);
    $("eyes-step").textContent = t("step_of", { done: step.index + 1, total: EYE_STEPS.length });
    $("eyes-text").textContent = t(step.key);
    $("eyes-left").textContent = t("time_left", { time: clock(Math.min(step.seconds, step.end - elapsed)) });
    $("eyes-progress").value = elapsed / total;
  }, () => finish("eyes", "eyes"));
}

function finish(kind, prefix) {
  attempt(async () => {
    await apiJson("exercise", { kind, day: state.diary.today_day });
    $(`${prefix}-done`).hidden = false;
    state.diary = await apiJson("diary");
    renderWeek();
  }, () => finish(kind, prefix));
}

// --- Start ----------------------------------------------------------------------------------

function wire() {
  for (const button of document.querySelectorAll("[data-go]")) {
    button.addEventListener("click", () => show(button.dataset.go));
  }
  $("retry").addEventListener("click", () => state.retry && attempt(state.retry));
  $("edit-form").addEventListener("submit", (event) => attempt(() => saveEdit(event), () => $("edit-form").requestSubmit()));
  $("settings-form").addEventListener("submit", (event) => attempt(() => saveSettings(event), () => $("settings-form").requestSubmit()));
  $("zone-search").addEventListener("input", (event) => fillZones(event.target.value));
  $("export").addEventListener("click", () => attempt(exportData));
  $("delete").addEventListener("click", () => {
    $("delete-confirm").hidden = false;
    $("delete-no").focus();
  });
  $("delete-no").addEventListener("click", () => ($("delete-confirm").hidden = true));
  $("delete-yes").addEventListener("click", () => attempt(deleteData));
}

async function open() {
  await loadDiary();
  const exercise = launch.get("exercise") || query.get("exercise");
  show(exercise === "breathing" || exercise === "eyes" ? exercise : "week");
}

function start() {
  applyTheme(parsedTheme());
  wire();
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  if (initData) attempt(open);
  else showError(new ApiError("unauthorized"));
}

start();

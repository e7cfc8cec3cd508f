// The tgauth login page: renders the login's current step (GET login, then the events
// stream) and posts what the person types to it. Everything goes to this page's own link.
"use strict";

const base = location.pathname.replace(/\/+$/, "");
const stepBox = document.getElementById("step");
const problemBox = document.getElementById("problem");
let shown = "";      // step_id and txn_id of the step on screen
let current = null;  // that step
let timers = [];     // countdowns of the step on screen
let startMode = "phone";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, "");
    else if (v !== false && v != null) e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

function showProblem(text) {
  problemBox.textContent = text || "";
  problemBox.hidden = !text;
}

// countdown calls tick(seconds left) every second until at, then done().
function countdown(at, tick, done) {
  const run = () => {
    const left = Math.ceil((new Date(at) - Date.now()) / 1000);
    if (left > 0) { tick(left); return; }
    clearInterval(id);
    done();
  };
  const id = setInterval(run, 1000);
  timers.push(id);
  run();
}

async function post(path, body) {
  let res;
  try {
    res = await fetch(base + path, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(body || {}),
    });
  } catch (e) {
    showProblem("The server cannot be reached; try again.");
    return;
  }
  const data = await res.json().catch(() => ({}));
  if (res.ok) { render(data); return; }
  if (data.step) render(data.step);
  if (res.status !== 200 && !(data.step && data.step.problem_text)) showProblem(data.error || res.statusText);
}

function submit(step, values) {
  values.txn_id = step.txn_id;
  return post("/step/" + step.step_id + "/user_input", values);
}

function action(step, name) {
  return el("button", {type: "button", class: "link", onclick: () => submit(step, {action: name})});
}

// field builds a labelled input for one of the step's fields.
function field(f, attrs) {
  const id = "f-" + f.id;
  return [
    el("label", {for: id, text: f.name}),
    f.description ? el("p", {class: "hint", id: id + "-hint", text: f.description}) : null,
    el("input", Object.assign({id, name: f.id, required: true, "aria-describedby": f.description ? id + "-hint" : null}, attrs)),
  ];
}

function form(step, children, submitText) {
  const button = el("button", {type: "submit", id: "submit", text: submitText || "Continue"});
  const f = el("form", {onsubmit: (ev) => {
    ev.preventDefault();
    const values = {};
    for (const input of f.querySelectorAll("input[name]")) {
      values[input.name] = input.type === "checkbox" ? String(input.checked) : input.value;
    }
    button.disabled = true;
    submit(step, values).finally(() => { button.disabled = false; });
  }}, el("p", {id: "instructions", text: step.instructions}), ...children.flat(), button);
  floodWait(step, button);
  return f;
}

// floodWait disables submit while Telegram asks to wait, with a countdown.
function floodWait(step, button) {
  const at = step.prompt && step.prompt.retry_at;
  if (!at) return;
  const label = button.textContent;
  countdown(at, (s) => { button.disabled = true; button.textContent = "Wait " + s + " s"; },
    () => { button.disabled = false; button.textContent = label; });
}

const fieldOf = (step, id) => step.user_input.fields.find((f) => f.id === id);

function startForm(step) {
  const tab = (mode, text) => el("button", {type: "button", id: "tab-" + mode, "aria-pressed": String(startMode === mode),
    text, onclick: () => { startMode = mode; shown = ""; render(current); }});
  const tabs = el("div", {class: "tabs", role: "group", "aria-label": "Log in with"},
    tab("phone", "Phone number"), tab("bot", "Bot token"), tab("qr", "QR code"));
  if (startMode === "qr") {
    return [tabs, el("div", {class: "card"},
      el("p", {text: "Show a QR code to scan with a Telegram app that is logged in already."}),
      el("button", {type: "button", id: "submit", text: "Show QR code",
        onclick: () => submit(step, {action: "qr"})}))];
  }
  if (startMode === "bot") {
    const s = Object.assign({}, step, {step_id: "tgauth.bot_token"});
    return [tabs, form(s, [field({id: "token", name: "Bot token",
      description: "The token @BotFather gave, like 123456:ABC-DEF1234ghIkl."}, {type: "text", autocomplete: "off", spellcheck: "false"})])];
  }
  return [tabs, form(step, [field(fieldOf(step, "phone"), {type: "tel", autocomplete: "tel", placeholder: "+1 555 123 4567"})])];
}

function codeForm(step) {
  const p = step.prompt.code || {};
  const resend = action(step, "resend");
  resend.id = "resend";
  const f = form(step, [field(fieldOf(step, "code"), {type: "text", inputmode: "numeric",
    autocomplete: "one-time-code", maxlength: p.length || 16})]);
  f.append(resend);
  if (step.user_input.actions.includes("reset_email")) {
    const reset = action(step, "reset_email");
    reset.id = "reset-email";
    reset.textContent = "Cannot reach that address? Reset the login e-mail";
    f.append(reset);
  }
  if (p.resend_at) {
    countdown(p.resend_at, (s) => { resend.disabled = true; resend.textContent = "Didn't get it? Send again in " + s + " s"; },
      () => { resend.disabled = false; resend.textContent = "Didn't get it? Send it again"; });
  } else {
    resend.textContent = "Didn't get it? Send it again";
  }
  return f;
}

function passwordForm(step) {
  const f = form(step, [field(fieldOf(step, "password"), {type: "password", autocomplete: "current-password"})]);
  if (step.user_input.actions.includes("recover")) {
    const forgot = action(step, "recover");
    forgot.id = "forgot";
    forgot.textContent = "Forgot password? Get a recovery code by e-mail";
    f.append(forgot);
  }
  return f;
}

// recoveryForm asks the recovery code and, optionally, a new password and its hint.
function recoveryForm(step) {
  return form(step, [
    field(fieldOf(step, "code"), {type: "text", inputmode: "numeric", autocomplete: "one-time-code"}),
    field(fieldOf(step, "new_password"), {type: "password", autocomplete: "new-password", required: false}),
    field(fieldOf(step, "hint"), {type: "text", autocomplete: "off", required: false}),
  ]);
}

// paymentCard shows what a paid sign-in asks, the form's link once asked for, and the
// buttons the step offers (pay, check_paid).
function paymentCard(step) {
  const p = step.prompt.payment || {};
  const card = el("div", {class: "card"}, el("p", {id: "instructions", text: step.instructions}));
  if (p.url) card.append(el("p", {}, el("a", {id: "pay-link", href: p.url, target: "_blank", rel: "noopener", text: "Pay " + p.price})));
  const labels = {pay: "Get the payment link", check_paid: "I paid: check it"};
  for (const name of ["pay", "check_paid"]) {
    if (!step.user_input.actions.includes(name)) continue;
    const b = action(step, name);
    b.id = name.replace("_", "-");
    b.textContent = labels[name];
    card.append(b);
    if (name === "check_paid") floodWait(step, b);
  }
  return card;
}

function signUpForm(step) {
  const terms = step.prompt.terms || {};
  return form(step, [
    field(fieldOf(step, "first_name"), {type: "text", autocomplete: "given-name"}),
    field(fieldOf(step, "last_name"), {type: "text", autocomplete: "family-name", required: false}),
    el("h2", {text: "Telegram's terms of service"}),
    el("div", {class: "terms", tabindex: "0", id: "terms", text: terms.text || ""}),
    el("label", {class: "check", for: "f-accept_tos"},
      el("input", {type: "checkbox", id: "f-accept_tos", name: "accept_tos", required: true}),
      "I accept the terms of service"),
  ], "Sign up");
}

function qrCard(step) {
  const card = el("div", {class: "card"}, el("p", {id: "instructions", text: step.instructions}));
  if (step.display_and_wait && step.display_and_wait.type === "qr") {
    card.append(el("img", {class: "qr", id: "qr", src: base + "/qr.png?v=" + step.txn_id,
      alt: "QR code to scan with a logged-in Telegram app", width: "240", height: "240"}));
  }
  const cancel = el("button", {type: "button", class: "link", text: "Cancel", onclick: () => post("/cancel")});
  card.append(cancel);
  return card;
}

function render(step) {
  if (!step || !step.step_id) return;
  current = step;
  const key = step.step_id + "/" + step.txn_id + "/" + (step.problem_text || "");
  if (key === shown) return;
  shown = key;
  showProblem(step.problem_text);
  timers.forEach(clearInterval);
  timers = [];
  let view;
  switch (step.step_id) {
    case "tgauth.phone":
    case "tgauth.bot_token": view = startForm(step); break;
    case "tgauth.code": view = codeForm(step); break;
    case "tgauth.code_expired": {
      const again = action(step, "resend");
      again.textContent = "Send a new code";
      view = el("div", {class: "card"}, el("p", {id: "instructions", text: step.instructions}), again);
      break;
    }
    case "tgauth.password": view = passwordForm(step); break;
    case "tgauth.signup": view = signUpForm(step); break;
    case "tgauth.recovery_code": view = recoveryForm(step); break;
    case "tgauth.payment": view = paymentCard(step); break;
    case "tgauth.email_code": view = form(step, [field(fieldOf(step, "code"), {type: "text", inputmode: "numeric", autocomplete: "one-time-code"})]); break;
    case "tgauth.email": view = form(step, [field(fieldOf(step, "email"), {type: "email", autocomplete: "email"})]); break;
    case "tgauth.qr": view = qrCard(step); break;
    case "tgauth.complete":
      view = el("div", {class: "card"}, el("p", {class: "done", id: "done", text: step.instructions}),
        el("p", {text: "You can close this page."}));
      break;
    case "tgauth.closed":
      view = el("div", {class: "card"}, el("p", {class: "done", id: "done", text: step.instructions}));
      break;
    default:
      view = el("div", {class: "card"}, el("p", {id: "instructions", text: step.instructions}));
  }
  stepBox.replaceChildren(...[view].flat());
  const first = stepBox.querySelector("input, button#submit");
  if (first) first.focus();
}

async function load() {
  const res = await fetch(base + "/login", {credentials: "same-origin"});
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    stepBox.replaceChildren(el("div", {class: "card"}, el("p", {id: "done", text: data.error || "This link does not work."})));
    return;
  }
  render(data.step);
  const events = new EventSource(base + "/events");
  events.addEventListener("snapshot", (e) => render(JSON.parse(e.data).step));
  events.onerror = () => { if (current && (current.type === "complete" || current.type === "closed")) events.close(); };
}

load();

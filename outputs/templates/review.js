// kehoach review: keyboard and writes without a page reload. Every write sends the page's
// CSRF token; the server answers with the item's new HTML, which replaces the old one.
(function () {
  "use strict";
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const message = document.getElementById("message");
  let current = 0;

  function items() { return Array.from(document.querySelectorAll("#items article.item")); }

  function say(text, isError) {
    message.textContent = text;
    message.className = "message" + (isError ? " err" : "");
  }

  function focusItem(i) {
    const all = items();
    if (!all.length) return;
    current = Math.max(0, Math.min(i, all.length - 1));
    all.forEach(function (el) { el.classList.remove("current"); });
    const el = all[current];
    el.classList.add("current");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }

  function indexOf(article) { return items().indexOf(article); }

  async function send(form, action) {
    const body = new URLSearchParams(new FormData(form));
    const resp = await fetch(action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" },
    });
    let data;
    try { data = await resp.json(); } catch (e) { data = { ok: false, error: resp.statusText }; }
    if (!resp.ok || !data.ok) { say("Không lưu được: " + (data.error || resp.status), true); return null; }
    document.getElementById("status").textContent = data.status_vi;
    document.getElementById("progress").textContent = data.reviewed + "/" + data.items;
    return data;
  }

  function replaceWith(article, html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = (html || "").trim();
    const fresh = tpl.content.firstElementChild;
    if (fresh) article.replaceWith(fresh); else article.remove();  // an added item taken out
    return fresh;
  }

  document.addEventListener("submit", async function (ev) {
    const form = ev.target;
    const action = (ev.submitter && ev.submitter.getAttribute("formaction")) || form.getAttribute("action");
    if (/\/accept-all$/.test(action)) {
      if (!window.confirm("Chấp nhận tất cả mục chưa xem và đánh dấu văn bản đã rà soát?")) { ev.preventDefault(); return; }
    }
    ev.preventDefault();
    const article = form.closest("article.item");
    const data = await send(form, action);
    if (!data) return;
    if (!article || /\/accept-all$/.test(action) || /\/restore$/.test(action)) {
      if (form.id === "add-form" && data.html) {
        const after = form.querySelector('input[name="after"]').value;
        const anchor = after && document.getElementById(after);
        const tpl = document.createElement("template");
        tpl.innerHTML = data.html.trim();
        const fresh = tpl.content.firstElementChild;
        if (anchor) anchor.after(fresh); else document.getElementById("items").appendChild(fresh);
        form.reset();
        say("Đã thêm mục.");
        focusItem(indexOf(fresh));
        return;
      }
      window.location.reload();
      return;
    }
    const i = indexOf(article);
    replaceWith(article, data.html);
    say(/\/accept$/.test(action) ? "Đã chấp nhận." : /\/delete$/.test(action) ? "Đã đánh dấu không phải mục." : "Đã lưu sửa.");
    focusItem(/\/correct$/.test(action) ? i : i + 1);
  });

  document.addEventListener("click", function (ev) {
    const btn = ev.target.closest("button.add-after");
    if (!btn) return;
    openAdd(btn.closest("article.item"));
  });

  function openAdd(article) {
    const form = document.getElementById("add-form");
    form.querySelector('input[name="after"]').value = article ? article.dataset.id : "";
    if (article) form.querySelector('select[name="kind"]').value = article.dataset.kind;
    form.scrollIntoView({ block: "center" });
    form.querySelector("textarea[name=text]").focus();
  }

  function click(selector) {
    const el = items()[current];
    const btn = el && el.querySelector(selector);
    if (btn) btn.click();
  }

  document.addEventListener("keydown", function (ev) {
    const t = ev.target;
    const editing = t.matches("input, textarea, select");
    if (editing) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        const form = t.closest("form");
        const save = form && form.querySelector("button.save");
        if (save) save.click();
      } else if (ev.key === "Escape") {
        t.blur();
        focusItem(current);
      }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const article = t.closest && t.closest("article.item");
    if (article) current = indexOf(article);
    switch (ev.key) {
      case "j": case "ArrowDown": focusItem(current + 1); break;
      case "k": case "ArrowUp": focusItem(current - 1); break;
      case "a": click("button.accept"); break;
      case "x": click("button.delete"); break;
      case "e": { const el = items()[current]; const f = el && el.querySelector("textarea, input:not([type=hidden])"); if (f) f.focus(); break; }
      case "n": openAdd(items()[current]); break;
      case "A": document.getElementById("accept-all").click(); break;
      default: return;
    }
    ev.preventDefault();
  });

  const hash = window.location.hash.slice(1);
  const start = hash ? items().findIndex(function (el) { return el.id === hash; }) : 0;
  focusItem(start < 0 ? 0 : start);
})();

// The dashboard's two static files, built into the package as strings (no CDN, no file lookup at run time): a
// stylesheet and a small script. The pages work without the script; it adds the copy buttons, the tool checklist's
// search and live count, and nothing else. Served with a content hash in the URL and a year's cache.

import { createHash } from 'node:crypto';

const CSS = `:root{color-scheme:light dark;--bg:#fff;--fg:#111;--muted:#555;--line:#ccc;--accent:#0b57d0;--err:#a00;--ok:#176b2c;--panel:#f5f5f5;--focus:#c60}
@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#eee;--muted:#aaa;--line:#444;--accent:#8ab4f8;--err:#ff8a80;--ok:#81c995;--panel:#1e1e1e;--focus:#fbbc04}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem;z-index:2}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between;padding:.6rem 1rem;border-bottom:1px solid var(--line)}
header nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.name{overflow-wrap:anywhere;unicode-bidi:isolate}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
.tablewrap{overflow-x:auto}
table.calls{table-layout:fixed;min-width:36rem}.c-time{width:13rem}.c-status{width:8rem}.c-dur{width:6rem}
.actions{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
form.inline{display:inline}
fieldset{border:1px solid var(--line);margin:1rem 0;padding:.5rem 1rem;min-width:0}
legend{font-weight:600}
label{display:block;margin:.4rem 0}
label.check{display:inline-flex;gap:.35rem;align-items:center;margin:.15rem 1rem .15rem 0;max-width:100%;overflow-wrap:anywhere}
label.check>*{min-width:0}
input[type=checkbox],input[type=radio]{flex:none}
input[type=text],input[type=password],input[type=search],input[type=url],input[type=datetime-local],select{font:inherit;padding:.35rem;max-width:100%;width:28rem;background:var(--bg);color:var(--fg);border:1px solid var(--line)}
button,.button{font:inherit;padding:.45rem 1rem;border:1px solid var(--accent);background:var(--accent);color:var(--bg);cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:transparent;color:var(--accent)}
button.danger{background:var(--err);border-color:var(--err)}
.err{color:var(--err)}.ok{color:var(--ok)}.muted{color:var(--muted)}
.notice{border:1px solid var(--line);background:var(--panel);padding:.75rem 1rem;margin:1rem 0}
.notice.err{border-color:var(--err)}
pre,code{font-family:ui-monospace,monospace;font-size:.9rem}
pre{background:var(--panel);padding:.75rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.url{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.url code{background:var(--panel);padding:.4rem;overflow-wrap:anywhere}
ul.tools{list-style:none;padding:0;margin:.5rem 0;max-height:24rem;overflow:auto;border:1px solid var(--line)}
ul.tools li{padding:.1rem .5rem}
ul.tools li[hidden]{display:none}
.count{font-weight:600;min-height:1.5em}
.chart{width:100%;max-width:48rem;height:auto}
.chart .bar{fill:var(--accent)}.chart .errbar{fill:var(--err)}.chart text{fill:var(--muted);font-size:11px}.chart .axis{stroke:var(--line)}
.pager{display:flex;gap:1rem;margin:1rem 0}
.filters{display:flex;flex-wrap:wrap;gap:0 1.5rem;align-items:end}
.filters label{margin:.2rem 0}
.filters input,.filters select{width:14rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
@media (max-width:40rem){dl{grid-template-columns:1fr}}
`;

// Plain ES2020, no framework: progressive enhancement of server-rendered pages.
const JS = `'use strict';
(function () {
  // Copy buttons: <button data-copy="id-of-element">.
  for (const b of document.querySelectorAll('button[data-copy]')) {
    b.hidden = false;
    b.addEventListener('click', async function () {
      const el = document.getElementById(b.getAttribute('data-copy'));
      if (!el) return;
      const status = document.getElementById(b.getAttribute('data-copy') + '-status');
      try {
        await navigator.clipboard.writeText(el.textContent);
        if (status) status.textContent = 'Copied';
      } catch (e) {
        if (status) status.textContent = 'Copy failed: select the text and copy it';
      }
    });
  }

  // The tool checklist: search, and the count of tools the chosen methods, tags and tools select (the same rule as
  // the service's: every non-empty filter must match).
  const form = document.querySelector('form[data-scope]');
  if (!form) return;
  const rows = Array.from(form.querySelectorAll('li[data-tool]'));
  const search = form.querySelector('#tool-search');
  const count = form.querySelector('#tool-count');
  const CRUD = ['list', 'get', 'create', 'update', 'delete'];
  const checked = function (name) {
    return Array.from(form.querySelectorAll('input[name="' + name + '"]:checked')).map(function (i) { return i.value.toLowerCase(); });
  };
  function update() {
    const methods = checked('methods');
    const tags = checked('tags');
    const tools = Array.from(form.querySelectorAll('input[name="tools"]:checked')).map(function (i) { return i.value; });
    let n = 0;
    for (const li of rows) {
      const m = li.getAttribute('data-method');
      const access = li.getAttribute('data-access');
      const ttags = (li.getAttribute('data-tags') || '').toLowerCase().split(' ');
      const okTool = tools.length === 0 || tools.indexOf(li.getAttribute('data-tool')) >= 0;
      const okTag = tags.length === 0 || ttags.some(function (t) { return tags.indexOf(t) >= 0; });
      const okMethod = methods.length === 0 || methods.indexOf(m) >= 0 || methods.indexOf(access) >= 0 ||
        (methods.indexOf('custom') >= 0 && CRUD.indexOf(m) < 0);
      if (okTool && okTag && okMethod) n++;
    }
    if (!count) return;
    const caps = n > 128 ? ' — over OpenAI\\'s 128-tool cap and Cursor\\'s ~40: use discovery or code exposure'
      : n > 40 ? ' — fits OpenAI (128), over Cursor\\'s ~40' : ' — fits OpenAI (128) and Cursor (~40)';
    count.textContent = n + ' tool' + (n === 1 ? '' : 's') + ' selected' + caps;
  }
  form.addEventListener('change', update);
  if (search) {
    search.hidden = false;
    search.addEventListener('input', function () {
      const q = search.value.trim().toLowerCase();
      for (const li of rows) li.hidden = q !== '' && li.getAttribute('data-tool').indexOf(q) < 0;
    });
  }
  update();
})();
`;

export interface Asset {
  body: Buffer;
  type: string;
  /** `/ui/assets/<name>.<hash>.<ext>` */
  path: string;
}

function asset(name: string, ext: string, type: string, text: string): Asset {
  const body = Buffer.from(text);
  const h = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { body, type, path: `/ui/assets/${name}.${h}.${ext}` };
}

export const ASSETS = {
  css: asset('app', 'css', 'text/css; charset=utf-8', CSS),
  js: asset('app', 'js', 'text/javascript; charset=utf-8', JS),
};

/**
 * A self-contained page that renders /openapi.json (no CDN: servers here are often offline):
 * each operation with its parameters, request body and response schemas.
 */
export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Babelfish API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1000px;padding:1rem 2rem;color:#1d2330}
h1{margin-bottom:.2rem} .op{border:1px solid #d5dae3;border-radius:6px;margin:.6rem 0}
.op summary{cursor:pointer;padding:.5rem .8rem;display:flex;gap:.8rem;align-items:baseline}
.m{font:600 12px monospace;text-transform:uppercase;padding:.1rem .4rem;border-radius:3px;background:#e8eefc;min-width:3.5rem;text-align:center}
.m.post{background:#e5f6ea}.m.put,.m.patch{background:#fff2d6}.m.delete{background:#fde4e4}
code,pre{font:13px ui-monospace,monospace} pre{background:#f5f7fa;padding:.6rem;overflow:auto;max-height:24rem}
.body{padding:0 .8rem .8rem} h3{font-size:14px;margin:.8rem 0 .2rem}
</style></head><body>
<h1>Babelfish API</h1><p>Generated from the same schemas that validate requests. Raw document: <a href="/openapi.json">/openapi.json</a>.</p>
<div id="ops">Loading…</div>
<script src="/docs/docs.js"></script></body></html>`;


/** The page's script, served as a file so the Content-Security-Policy needs no inline exception. */
export const docsScript = `fetch('/openapi.json').then(r => r.json()).then(doc => {
  const root = document.getElementById('ops'); root.textContent = '';
  const resolve = s => s && s.$ref ? doc.components.schemas[s.$ref.split('/').pop()] : s;
  const block = (title, value) => { const h = document.createElement('h3'); h.textContent = title; const p = document.createElement('pre'); p.textContent = JSON.stringify(value, null, 2); return [h, p]; };
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const d = document.createElement('details'); d.className = 'op';
    const s = document.createElement('summary');
    const m = document.createElement('span'); m.className = 'm ' + method; m.textContent = method;
    const c = document.createElement('code'); c.textContent = path;
    const t = document.createElement('span'); t.textContent = op.summary || '';
    s.append(m, c, t); d.append(s);
    const b = document.createElement('div'); b.className = 'body';
    if (op.parameters) b.append(...block('Parameters', op.parameters));
    if (op.requestBody) for (const [type, media] of Object.entries(op.requestBody.content)) b.append(...block('Request ' + type, resolve(media.schema)));
    for (const [status, r] of Object.entries(op.responses)) {
      const schema = r.content && Object.values(r.content)[0].schema;
      b.append(...block(status + ' ' + r.description, schema ? resolve(schema) : '(no body)'));
    }
    d.append(b); root.append(d);
  }
});
`;

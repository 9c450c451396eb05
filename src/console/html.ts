/**
 * Server-rendered pages: plain HTML strings, one small stylesheet inline, no script and nothing from a CDN (the
 * customer's server may have no internet, and a page without script has no XSS sink beyond what we escape here).
 */
export const esc = (v: unknown): string =>
  String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Tagged template that escapes every interpolated value unless it is raw() (already-built HTML). */
export class Raw {
  constructor(readonly html: string) {}
  toString() {
    return this.html;
  }
}
export const raw = (html: string) => new Raw(html);

export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return new Raw(out);
}

function render(v: unknown): string {
  if (v instanceof Raw) return v.html;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

export const rub = (k: number) => `${(k / 100).toLocaleString('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ₽`;

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'никогда';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} с назад`;
  if (s < 3600) return `${Math.floor(s / 60)} мин назад`;
  if (s < 86400) return `${Math.floor(s / 3600)} ч ${Math.floor((s % 3600) / 60)} мин назад`;
  return `${Math.floor(s / 86400)} дн назад`;
}

export const when = (ms: number | string | null | undefined) =>
  ms === null || ms === undefined ? '' : new Date(ms).toLocaleString('ru-RU', { timeZone: 'Europe/Moscow', dateStyle: 'short', timeStyle: 'medium' });

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2329;background:#f4f6f8}
header{background:#23384d;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#fff;text-decoration:none}header a.on{text-decoration:underline}header .who{margin-left:auto;opacity:.85}
header form{margin:0}header button{background:none;border:1px solid #fff8;color:#fff;padding:.2rem .6rem;border-radius:4px;cursor:pointer}
main{max-width:1100px;margin:1rem auto;padding:0 1rem}
section{background:#fff;border:1px solid #d9dee3;border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem}
h1{font-size:1.3rem;margin:.2rem 0 .8rem}h2{font-size:1.05rem;margin:.1rem 0 .6rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e8eb;padding:.35rem .4rem;text-align:left;vertical-align:top}
th{font-weight:600;color:#4a5661;font-size:.9rem}
.ok{color:#1b7f3b}.bad{color:#b3261e}.warn{color:#8a5a00}.muted{color:#6b7680;font-size:.9rem}
.flash{padding:.6rem 1rem;border-radius:6px;margin-bottom:1rem;background:#e6f4ea;border:1px solid #b7dfc3}
.flash.error{background:#fce8e6;border-color:#f2b8b5}
ul.warnings{margin:.3rem 0;padding-left:1.2rem;color:#8a5a00}
button,input[type=submit]{background:#23384d;color:#fff;border:0;border-radius:4px;padding:.35rem .8rem;cursor:pointer;font:inherit}
button.secondary{background:#6b7680}input[type=text],input[type=password],input[type=search]{font:inherit;padding:.3rem .4rem;border:1px solid #b8c0c8;border-radius:4px}
form.inline{display:inline}label{display:block;margin:.3rem 0}
.pay{border-top:2px solid #d9dee3;padding-top:.6rem;margin-top:.6rem}
.login{max-width:360px;margin:4rem auto}
`;

export interface PageUser {
  name: string;
  fullName?: string;
  role: 'admin' | 'accountant';
  csrf: string;
}

export function page(title: string, body: Raw, opts: { user?: PageUser; active?: string; flash?: { text: string; error?: boolean } } = {}): string {
  const u = opts.user;
  const nav = u
    ? html`<a href="/console" class="${opts.active === 'status' ? 'on' : ''}">Состояние</a>
        <a href="/console/bank" class="${opts.active === 'bank' ? 'on' : ''}">Платежи</a>
        <a href="/console/orders" class="${opts.active === 'orders' ? 'on' : ''}">Заказы</a>
        <span class="who">${u.fullName ?? u.name} (${u.role === 'admin' ? 'администратор' : 'бухгалтер'})</span>
        <form method="post" action="/console/logout"><input type="hidden" name="csrf" value="${u.csrf}"><button>Выйти</button></form>`
    : html``;
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} — ReGate</title><style>${CSS}</style></head><body>
<header><strong>ReGate</strong>${nav}</header><main>
${opts.flash ? html`<div class="flash ${opts.flash.error ? 'error' : ''}" id="flash">${opts.flash.text}</div>` : ''}
${body}</main></body></html>`;
}

import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { BankService } from '../bank/import/service.js';
import { REVIEW_REASON, ReviewError, type ReviewItem } from '../bank/import/review.js';
import type { CatalogService } from '../catalog/service.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/open.js';
import type { HealthService } from '../api/health.js';
import { verifyPassword } from '../install/password.js';
import { decodeUrlText, type Logger } from '../log.js';
import { ORDER_STATUS, PAYMENT_STATUS } from '../orders/statuses.js';
import { dropJob, listJobs, retryJob, stats as outboxStats } from '../outbox/index.js';
import { candidatesFor, findOrder, outboxReasonRu, lastBankRuns, orderHistory, recentDecisions, searchOrders, warningsFor } from './data.js';
import { ago, html, page, raw, rub, when, type PageUser, type Raw } from './html.js';
import { csrfMatches, LoginThrottle, Sessions, type Session } from './session.js';
import type { ConsoleUser } from './users.js';

/**
 * The web console at /console, for the people around ReGate rather than the store's software:
 *  - admin: the state (1C, the mirror's age with "sync now", the outbox with its dead jobs to retry or drop, the
 *    bank runs), orders, and the payments;
 *  - accountant: the bank payments waiting for a decision, each with the orders it could be and the reasons to
 *    look twice (the payer's INN is not the client's, overpayment, partial payment), resolved or closed under the
 *    person's own name (the audit records it, not "root").
 * Its users are console.users (regate user add NAME --role admin|accountant), never the API's.
 */
export interface ConsoleDeps {
  config: Config;
  db: Db;
  logger: Logger;
  catalog?: CatalogService;
  bank?: BankService;
  health?: HealthService;
  /** Starts a full catalogue sync (the scheduler's runNow: a sync already running is joined, not doubled). */
  syncNow?: () => Promise<unknown>;
  now?: () => number;
}

const COOKIE = 'regate_console';
type Who = { session: Session; user: ConsoleUser };
type Env = { Variables: { who: Who } };

export function createConsole(deps: ConsoleDeps): Hono<Env> {
  const { config, db, logger } = deps;
  const now = deps.now ?? Date.now;
  const sessions = new Sessions(config.console.sessionHours * 3_600_000, now);
  const throttle = new LoginThrottle(5, 5 * 60_000, now);
  const users = () => config.console.users; // swapped in place by watchUsers: always the current list
  const app = new Hono<Env>();

  const secure = (c: Context) => Boolean(config.server.tls.cert && config.server.tls.key) || c.req.header('x-forwarded-proto') === 'https';
  const address = (c: Context) =>
    (c.get('clientAddress' as never) as string | undefined) ?? (c.env as { incoming?: { socket?: { remoteAddress?: string } } })?.incoming?.socket?.remoteAddress ?? 'local';
  const send = (c: Context, body: string, status: 200 | 400 | 403 | 404 | 429 = 200) =>
    c.html(body, status, {
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'Referrer-Policy': 'same-origin',
    });
  const pageUser = (w: Who): PageUser => ({ name: w.user.name, fullName: w.user.fullName, role: w.user.role, csrf: w.session.csrf });
  const takeFlash = (w: Who) => {
    const f = w.session.flash;
    w.session.flash = undefined;
    return f;
  };
  const redirect = (c: Context, w: Who, to: string, text: string, error = false) => {
    w.session.flash = { text, error };
    return c.redirect(to, 303);
  };

  // Forms here are a few fields: anything larger is not ours (the API's own limit covers /api/v1 only).
  app.use('*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('Слишком большой запрос', 413) }));

  if (!config.console.enabled) {
    app.all('*', (c) => c.text('Консоль отключена (console.enabled: false)', 404));
    return app;
  }

  // --- login --------------------------------------------------------------------------------------------------
  const loginPage = (c: Context, message?: string, status: 200 | 400 | 429 = 200) =>
    send(
      c,
      page(
        'Вход',
        html`<section class="login"><h1>Вход в консоль ReGate</h1>
          ${users().length ? '' : html`<p class="warn">Пользователей консоли нет. Добавьте: <code>regate --config … user add ИМЯ --role admin</code></p>`}
          ${message ? html`<p class="bad" id="login-error">${message}</p>` : ''}
          <form method="post" action="/console/login">
            <label>Имя <input type="text" name="name" autocomplete="username" autofocus required></label>
            <label>Пароль <input type="password" name="password" autocomplete="current-password" required></label>
            <button type="submit" id="login">Войти</button>
          </form></section>`,
      ),
      status,
    );

  app.get('/login', (c) => loginPage(c));
  app.post('/login', async (c) => {
    if (!sameOrigin(c)) return send(c, page('Ошибка', html`<p class="bad">Запрос с чужой страницы отклонён</p>`), 403);
    const form = await c.req.parseBody();
    const name = String(form.name ?? '').trim();
    const password = String(form.password ?? '');
    const keys = [`addr:${address(c)}`, `user:${name}@${address(c)}`];
    const locked = throttle.lockedFor(keys);
    if (locked) return loginPage(c, `Слишком много неудачных попыток; повторите через ${Math.ceil(locked / 60_000)} мин`, 429);
    const user = users().find((u) => u.name === name);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      throttle.fail(keys);
      logger.warn({ name, address: address(c) }, 'console login failed');
      return loginPage(c, 'Неверное имя или пароль', 400);
    }
    throttle.succeed(keys);
    const s = sessions.create(user);
    setCookie(c, COOKIE, s.id, { path: '/console', httpOnly: true, sameSite: 'Strict', secure: secure(c), maxAge: config.console.sessionHours * 3600 });
    logger.info({ user: user.name, role: user.role }, 'console login');
    return c.redirect(user.role === 'accountant' ? '/console/bank' : '/console', 303);
  });

  // --- everything else needs a session; every POST its CSRF token ------------------------------------------------
  app.use('*', async (c, next) => {
    const who = sessions.get(getCookie(c, COOKIE), users());
    if (!who) {
      if (c.req.method === 'GET') return c.redirect('/console/login', 303);
      return send(c, page('Сеанс истёк', html`<p class="bad">Сеанс истёк. <a href="/console/login">Войдите снова</a>.</p>`), 403);
    }
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      if (!sameOrigin(c) || !csrfMatches(who.session, form.csrf)) {
        logger.warn({ user: who.user.name, path: c.req.path }, 'console CSRF check failed');
        return send(c, page('Ошибка', html`<p class="bad">Форма устарела или отправлена с чужой страницы. <a href="/console">Обновите страницу</a>.</p>`), 403);
      }
    }
    c.set('who', who);
    await next();
  });
  const adminOnly = (c: Context<Env>) =>
    c.get('who').user.role === 'admin' ? null : send(c, page('Нет прав', html`<p class="bad">Это действие доступно только администратору.</p>`, { user: pageUser(c.get('who')) }), 403);

  app.post('/logout', (c) => {
    sessions.destroy(c.get('who').session.id);
    deleteCookie(c, COOKIE, { path: '/console' });
    return c.redirect('/console/login', 303);
  });

  // --- status ---------------------------------------------------------------------------------------------------
  app.get('/', async (c) => {
    const w = c.get('who');
    const ready = deps.health ? await deps.health.ready().catch((e) => ({ ready: false, checks: [{ name: 'onec', ok: false, detail: String(e) }] })) : undefined;
    const mirror = deps.catalog?.state();
    const ob = outboxStats(db);
    const dead = listJobs(db, { state: 'dead', limit: 100 });
    const runs = lastBankRuns(db, 10);
    const isAdmin = w.user.role === 'admin';
    const csrf = html`<input type="hidden" name="csrf" value="${w.session.csrf}">`;
    const maxAge = config.sync.maxAgeMinutes * 60_000;
    const stale = (iso: string | null | undefined) => !iso || now() - Date.parse(iso) > maxAge;
    const body = html`<h1>Состояние ReGate</h1>
      <section id="onec"><h2>1С и база ReGate</h2>
        ${ready
          ? html`<table>${ready.checks.map((ch) => html`<tr><td>${CHECK_NAMES[ch.name] ?? ch.name}</td><td class="${ch.ok ? 'ok' : 'bad'}">${ch.ok ? 'в порядке' : 'ошибка'}</td><td>${ch.detail}</td></tr>`)}</table>`
          : html`<p class="muted">нет проверки</p>`}
        <p class="muted">1С: ${config.onec.url}</p></section>
      <section id="mirror"><h2>Зеркало каталога</h2>
        <table><tr><td>Полная синхронизация</td><td class="${stale(mirror?.syncedAt) ? 'bad' : 'ok'}">${ago(mirror?.syncedAt, now())}</td><td>${when(mirror?.syncedAt)}</td></tr>
        <tr><td>Остатки и цены</td><td class="${stale(mirror?.stockSyncedAt) ? 'bad' : 'ok'}">${ago(mirror?.stockSyncedAt, now())}</td><td>${when(mirror?.stockSyncedAt)}</td></tr></table>
        ${isAdmin && deps.syncNow ? html`<form method="post" action="/console/sync">${csrf}<button id="sync-now">Синхронизировать сейчас</button></form>` : ''}</section>
      <section id="outbox"><h2>Очередь доставки в 1С</h2>
        <p>Ждут: <b id="outbox-pending">${ob.pending}</b>, выполняются: ${ob.running}, на повторе: ${ob.retrying}, «мёртвых»: <b id="outbox-dead" class="${ob.dead ? 'bad' : 'ok'}">${ob.dead}</b>${ob.oldestPendingAgeMs ? `, старейшее ждёт ${Math.round(ob.oldestPendingAgeMs / 60_000)} мин` : ''}</p>
        ${dead.length
          ? html`<table><tr><th>№</th><th>вид</th><th>ключ</th><th>попыток</th><th>когда</th><th>ошибка</th>${isAdmin ? html`<th></th>` : ''}</tr>
            ${dead.map(
              (j) => html`<tr id="job-${j.id}"><td>#${j.id}</td><td>${j.kind}</td><td>${j.key}</td><td>${j.attempts}</td><td>${when(j.finishedAt ?? j.updatedAt)}</td><td>${decodeUrlText(j.lastError ?? '')}</td>
                ${isAdmin
                  ? html`<td><form class="inline" method="post" action="/console/outbox/${j.id}/retry">${csrf}<button id="retry-${j.id}">Повторить</button></form>
                      <form class="inline" method="post" action="/console/outbox/${j.id}/drop">${csrf}<input type="text" name="reason" placeholder="почему снять" required><button class="secondary" id="drop-${j.id}">Снять</button></form></td>`
                  : ''}</tr>`,
            )}</table>`
          : html`<p class="ok">мёртвых заданий нет</p>`}</section>
      <section id="bank-runs"><h2>Загрузки банковских выписок</h2>
        ${runs.length
          ? html`<table><tr><th>когда</th><th>выписка</th><th>источник</th><th>поступлений</th><th>новых</th><th>зачтено</th><th>на решение</th><th>предупреждения</th></tr>
            ${runs.map((r) => html`<tr><td>${when(r.importedAt)}</td><td>${r.name}</td><td>${r.source}</td><td>${r.incoming}</td><td>${r.newPayments}</td><td>${r.matched}</td><td>${r.review}</td><td class="warn">${r.warnings.map((x) => `строка ${x.line}: ${x.message}`).join('; ')}</td></tr>`)}</table>`
          : html`<p class="muted">выписок ещё не было</p>`}</section>`;
    return send(c, page('Состояние', body, { user: pageUser(w), active: 'status', flash: takeFlash(w) }));
  });

  app.post('/sync', (c) => {
    const denied = adminOnly(c);
    if (denied) return denied;
    const w = c.get('who');
    if (!deps.syncNow) return redirect(c, w, '/console', 'Синхронизация здесь недоступна', true);
    logger.info({ user: w.user.name }, 'console: sync now');
    void deps.syncNow().catch((e) => logger.error({ err: e }, 'console sync failed'));
    return redirect(c, w, '/console', 'Синхронизация каталога запущена; обновите страницу через минуту');
  });

  app.post('/outbox/:id/retry', (c) => {
    const denied = adminOnly(c);
    if (denied) return denied;
    const w = c.get('who');
    const id = Number(c.req.param('id'));
    const r = retryJob(db, id);
    logger.info({ user: w.user.name, job: id, ok: r.ok }, 'console: outbox retry');
    return redirect(c, w, '/console', r.ok ? `Задание #${id} будет выполнено снова` : `Задание #${id} не запущено: ${outboxReasonRu(r.reason)}`, !r.ok);
  });

  app.post('/outbox/:id/drop', async (c) => {
    const denied = adminOnly(c);
    if (denied) return denied;
    const w = c.get('who');
    const id = Number(c.req.param('id'));
    const reason = String((await c.req.parseBody()).reason ?? '').trim();
    if (!reason) return redirect(c, w, '/console', 'Напишите, почему задание снимается', true);
    const r = dropJob(db, id, `${reason} (${w.user.fullName ?? w.user.name}, консоль)`);
    logger.info({ user: w.user.name, job: id, ok: r.ok }, 'console: outbox drop');
    return redirect(c, w, '/console', r.ok ? `Задание #${id} снято` : `Задание #${id} не снято: ${outboxReasonRu(r.reason)}`, !r.ok);
  });

  // --- bank payments --------------------------------------------------------------------------------------------
  app.get('/bank', (c) => {
    const w = c.get('who');
    if (!deps.bank) return send(c, page('Платежи', html`<p>Банковские выписки не подключены.</p>`, { user: pageUser(w), active: 'bank' }));
    const list = deps.bank.unmatched({ limit: 200 });
    const csrf = html`<input type="hidden" name="csrf" value="${w.session.csrf}">`;
    const decisions = recentDecisions(db, 15);
    const body = html`<h1>Платежи, ждущие решения: <span id="unmatched-total">${list.total}</span></h1>
      ${list.items.length === 0 ? html`<section><p class="ok">Все платежи разобраны.</p></section>` : ''}
      ${list.items.map((i) => paymentBlock(i, csrf))}
      <section id="decisions"><h2>Последние решения</h2>
        ${decisions.length
          ? html`<table><tr><th>когда</th><th>платёж</th><th>сумма</th><th>решение</th><th>кто</th><th>пояснение</th><th></th></tr>
            ${decisions.map((d) => {
              // Only the payment's standing decision can be taken back, and an application only before 1C has it.
              const u = d.action !== 'undone' ? deps.bank!.undoPreview(d.paymentId) : null;
              const standing = u?.decision.id === d.id;
              return html`<tr id="decision-${d.id}"><td>${when(d.at)}</td><td>#${d.paymentId} · п/п ${d.number} от ${d.date}, ${d.payerName ?? ''}</td><td>${rub(d.amountKopecks)}</td>
                <td>${DECISION[d.action](d.orderId)}</td><td class="who-decided">${d.by}</td><td>${d.note ?? ''}</td>
                <td>${standing
                  ? u!.blocker
                    ? html`<span class="muted">${u!.blocker}</span>`
                    : html`<form class="inline" method="post" action="/console/bank/${d.paymentId}/undo">${csrf}<input type="text" name="note" placeholder="почему отменить"><button class="secondary" id="undo-${d.paymentId}">Отменить</button></form>`
                  : ''}</td></tr>`;
            })}</table>`
          : html`<p class="muted">решений пока не было</p>`}</section>`;
    return send(c, page('Платежи', body, { user: pageUser(w), active: 'bank', flash: takeFlash(w) }));
  });

  function paymentBlock(i: ReviewItem, csrf: Raw) {
    const over = i.orderId !== null; // applied with money to spare (by the matcher or a person): the excess waits
    const cands = over ? [] : candidatesFor(db, i);
    return html`<section class="pay" id="payment-${i.id}">
      <h2>#${i.id} · п/п ${i.number || '(без номера)'} от ${i.date} · <span class="amount">${rub(i.amountKopecks)}</span></h2>
      <p><b>${REVIEW_REASON[i.reason] ?? i.reason}</b>${i.detail ? html` — ${i.detail}` : ''}</p>
      <p>Плательщик: ${i.payer.name ?? '?'}${i.payer.inn ? `, ИНН ${i.payer.inn}` : ''}${i.payer.account ? `, счёт ${i.payer.account}` : ''}<br>
        Назначение: ${i.purpose}<br><span class="muted">Выписка ${i.statement.name} (${i.statement.source}), загружена ${when(i.statement.importedAt)}</span></p>
      ${over
        ? html`<ul class="warnings"><li>переплата${i.excessKopecks ? html` <b class="excess">${rub(i.excessKopecks)}</b>` : ''}: платёж зачтён на заказ ${i.orderId}${i.decision?.action === 'applied' ? ` (${i.decision.by}, ${when(i.decision.at)})` : ' автоматически'}; излишек решается в 1С (возврат или аванс). Когда решён — закройте платёж с пояснением.</li></ul>`
        : html`<form method="post" action="/console/bank/${i.id}/resolve">${csrf}
          ${cands.length
            ? html`<table><tr><th></th><th>заказ</th><th>клиент</th><th>к оплате</th><th>почему предложен</th><th>обратите внимание</th></tr>
              ${cands.map(
                (cd) => html`<tr class="candidate"><td><input type="radio" name="order" value="${cd.orderId}" id="pick-${i.id}-${cd.orderId}"></td>
                  <td><label for="pick-${i.id}-${cd.orderId}">${cd.number ?? '—'} <span class="muted">(${cd.orderId})</span></label></td>
                  <td>${cd.clientName}${cd.clientInn ? html`<br><span class="muted">ИНН ${cd.clientInn}</span>` : ''}</td><td>${rub(cd.dueKopecks)}</td><td class="muted">${cd.why}</td>
                  <td>${cd.warnings.length ? html`<ul class="warnings">${cd.warnings.map((x) => html`<li>${x}</li>`)}</ul>` : html`<span class="ok">сумма и ИНН сходятся</span>`}</td></tr>`,
              )}</table>`
            : html`<p class="muted">Подходящих открытых заказов не найдено.</p>`}
          <label>Или другой заказ (идентификатор или номер в 1С): <input type="text" name="orderOther" id="other-${i.id}"></label>
          <label>Пояснение: <input type="text" name="note" size="60" id="note-${i.id}"></label>
          <label><input type="checkbox" name="confirm" value="1" id="confirm-${i.id}"> Предупреждения видел(а), зачесть всё равно</label>
          <button name="action" value="apply" id="apply-${i.id}">Зачесть на заказ</button>
          <button name="action" value="dismiss" class="secondary" id="dismiss-${i.id}">Закрыть без зачёта</button>
        </form>`}
      ${over
        ? html`<form method="post" action="/console/bank/${i.id}/resolve">${csrf}<input type="hidden" name="action" value="dismiss">
            <label>Пояснение: <input type="text" name="note" size="60" required id="note-${i.id}"></label><button id="dismiss-${i.id}">Закрыть</button></form>`
        : ''}
    </section>`;
  }

  app.post('/bank/:id/resolve', async (c) => {
    const w = c.get('who');
    if (!deps.bank) return redirect(c, w, '/console/bank', 'Банковские выписки не подключены', true);
    const id = Number(c.req.param('id'));
    const form = await c.req.parseBody();
    const action = String(form.action ?? 'apply');
    const note = String(form.note ?? '').trim() || undefined;
    // The audit keeps the person's name (and login), not the server account a CLI resolve would record.
    const by = w.user.fullName ? `${w.user.fullName} (${w.user.name})` : w.user.name;
    let orderId: string | undefined;
    if (action === 'apply') {
      const wanted = String(form.orderOther ?? '').trim() || String(form.order ?? '').trim();
      if (!wanted) return redirect(c, w, '/console/bank', `Платёж #${id}: выберите заказ или впишите его номер`, true);
      const o = findOrder(db, wanted);
      if (!o) return redirect(c, w, '/console/bank', `Платёж #${id}: нет заказа «${wanted}»`, true);
      orderId = o.id;
      const item = deps.bank.unmatched({ limit: 1, afterId: id - 1 }).items.find((x) => x.id === id);
      const warnings = item ? warningsFor(item.payer.inn, item.amountKopecks, o) : [];
      if (warnings.length && form.confirm !== '1') {
        return redirect(c, w, '/console/bank', `Платёж #${id} не зачтён: ${warnings.join('; ')}. Отметьте «Предупреждения видел(а)», если всё верно.`, true);
      }
    }
    try {
      const r = deps.bank.resolve(id, { orderId, note, by });
      logger.info({ user: w.user.name, payment: id, resolution: r.resolution, order: r.orderId }, 'console: bank payment resolved');
      return redirect(
        c,
        w,
        '/console/bank',
        r.resolution === 'applied'
          ? `Платёж #${id} зачтён на заказ ${r.orderId}${r.paid ? ': заказ оплачен (статус 3)' : ': оплачен частично'}` +
              (r.excessKopecks ? `; переплата ${rub(r.excessKopecks)} осталась в списке — закройте платёж, когда излишек решён в 1С` : '')
          : `Платёж #${id} закрыт${r.orderId ? ` (излишек по заказу ${r.orderId})` : ' без зачёта'}`,
      );
    } catch (e) {
      if (e instanceof ReviewError) return redirect(c, w, '/console/bank', e.code === 'note-required' ? `Платёж #${id}: закрывая без заказа, напишите пояснение` : e.message, true);
      throw e;
    }
  });

  app.post('/bank/:id/undo', async (c) => {
    const w = c.get('who');
    if (!deps.bank) return redirect(c, w, '/console/bank', 'Банковские выписки не подключены', true);
    const id = Number(c.req.param('id'));
    const note = String((await c.req.parseBody()).note ?? '').trim() || undefined;
    const by = w.user.fullName ? `${w.user.fullName} (${w.user.name})` : w.user.name;
    try {
      const r = deps.bank.undo(id, { by, note });
      logger.info({ user: w.user.name, payment: id, undone: r.undone, order: r.orderId, droppedJob: r.droppedJob }, 'console: bank decision undone');
      return redirect(
        c,
        w,
        '/console/bank',
        r.undone === 'dismissed'
          ? `Платёж #${id} снова ждёт решения`
          : `Зачёт платежа #${id} на заказ ${r.orderId} отменён: заказ снова в статусе ${r.orderStatus}, задание для 1С снято` +
              (r.attempts ? ` (оно успело сделать попыток: ${r.attempts}; если документ всё же появился в 1С, пометьте его на удаление)` : ''),
      );
    } catch (e) {
      if (e instanceof ReviewError) return redirect(c, w, '/console/bank', e.message, true);
      throw e;
    }
  });

  // --- orders ---------------------------------------------------------------------------------------------------
  app.get('/orders', (c) => {
    const w = c.get('who');
    const q = (c.req.query('q') ?? '').trim();
    const rows = searchOrders(db, q, 50);
    const one = q && rows.length === 1 ? rows[0] : undefined;
    const hist = one ? orderHistory(db, one.id) : [];
    const body = html`<h1>Заказы</h1>
      <section><form method="get" action="/console/orders"><input type="search" name="q" value="${q}" placeholder="идентификатор, номер в 1С, клиент или ИНН" size="50"> <button>Найти</button></form></section>
      <section><table><tr><th>заказ</th><th>номер в 1С</th><th>клиент</th><th>сумма</th><th>оплачено</th><th>статус</th><th>создан</th></tr>
        ${rows.map((o) => html`<tr><td><a href="/console/orders?q=${encodeURIComponent(o.id)}">${o.id}</a></td><td>${o.number ?? ''}</td><td>${o.clientName}${o.clientInn ? ` (ИНН ${o.clientInn})` : ''}</td>
          <td>${rub(o.amountKopecks)}</td><td>${rub(o.paidKopecks)}</td><td>${o.status} — ${ORDER_STATUS[o.status as keyof typeof ORDER_STATUS] ?? ''}</td><td>${when(o.createdAt)}</td></tr>`)}
      </table>${rows.length === 0 ? html`<p class="muted">ничего не найдено</p>` : ''}</section>
      ${one
        ? html`<section id="history"><h2>История заказа ${one.id}</h2><table><tr><th>когда</th><th>событие</th><th>статус</th><th>оплата</th><th>подробности</th></tr>
          ${hist.map((h) => html`<tr><td>${when(h.at)}</td><td>${h.event}</td><td>${h.status}</td><td>${PAYMENT_STATUS[h.paymentStatus as keyof typeof PAYMENT_STATUS] ?? h.paymentStatus}</td><td class="muted">${h.detail ?? ''}</td></tr>`)}</table></section>`
        : ''}`;
    return send(c, page('Заказы', body, { user: pageUser(w), active: 'orders', flash: takeFlash(w) }));
  });

  return app;
}

const DECISION: Record<'applied' | 'dismissed' | 'undone', (orderId: string | null) => string> = {
  applied: (o) => `зачтён на заказ ${o}`,
  dismissed: (o) => (o ? `закрыт: излишек по заказу ${o} решён` : 'закрыт без зачёта'),
  undone: (o) => `решение отменено${o ? ` (заказ ${o})` : ''}`,
};

const CHECK_NAMES: Record<string, string> = { onec: '1С (OData)', mirror: 'Зеркало каталога', storage: 'База ReGate' };

/**
 * A form POST must come from our own pages: the Origin (or Referer) host must be this host. SameSite=Strict already
 * keeps the cookie off cross-site requests; this also covers the login form, which has no session yet.
 */
function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin') ?? c.req.header('referer');
  if (!origin || origin === 'null') return !c.req.header('sec-fetch-site') || c.req.header('sec-fetch-site') === 'same-origin';
  try {
    const host = c.req.header('x-forwarded-host') ?? c.req.header('host') ?? new URL(c.req.url).host;
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

// Verifying against a dummy hash when the name is unknown: the answer takes as long as for a real user.
const DUMMY_HASH = 'scrypt$16384$8$1$3q2+7w8AAAAAAAAAAAAAAA==$JgJQpKqUiWdx3L6sW1pCQm6hGZ0bQ1yq7z5o3c3iV0s=';

/** The daemon's console: mounted on the runtime's app (runtime.ts calls this once). */
export function mountConsole(
  rt: { app: { route(path: string, app: Hono<any>): unknown; get(path: string, handler: (c: Context) => Response): unknown }; config: Config; db: Db; logger: Logger; catalog?: CatalogService; services: { bank?: BankService; health?: HealthService } },
  opts: { syncNow?: () => Promise<unknown> } = {},
) {
  rt.app.get('/console/', (c) => c.redirect('/console', 301)); // a typed trailing slash would be a JSON 404
  rt.app.route(
    '/console',
    createConsole({ config: rt.config, db: rt.db, logger: rt.logger, catalog: rt.catalog, bank: rt.services.bank, health: rt.services.health, syncNow: opts.syncNow }),
  );
}

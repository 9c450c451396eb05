import type { Command } from 'commander';
import { configOf } from '../context.js';

export function register(program: Command) {
  const bank = program.command('bank').description('банковские выписки (1CClientBankExchange)');
  bank
    .command('parse')
    .argument('<file>', 'выписка 1CClientBankExchange (kl_to_1c.txt) в любой кодировке; - читает stdin')
    .description('показать содержимое выписки в JSON (заголовок, остатки по счетам, документы с направлением; суммы в копейках). Ничего не загружает.')
    .option('--compact', 'JSON в одну строку')
    .action(async (file: string, opts: { compact?: boolean }) => {
      const { BankParseError, fileSource, scanStatement, spool, statementDocuments } = await import('../../bank/parse/index.js');
      // Read twice in 1 MiB pieces (src/bank/parse/stream.ts, issue 19.4): memory stays flat whatever the file's
      // size, and a damaged file is refused before anything is printed. stdin is copied to a temporary file first.
      const spooled = file === '-' ? await spool(process.stdin) : null;
      const source = spooled?.source ?? fileSource(file);
      try {
        const st = await scanStatement(source);
        // Written piece by piece (same bytes as one JSON.stringify): a 300 MB statement's text is longer than the
        // longest string V8 can make ("Invalid string length", issue 19.4); the documents are parsed as they go out.
        const { writeJson, streamWriter } = await import('../../bank/parse/json-out.js');
        const out = streamWriter(process.stdout);
        const documents = statementDocuments(source, st);
        await writeJson(out.write, { file, summary: st.summary, header: st.header, accounts: st.accounts, documents, warnings: st.warnings }, opts.compact ? 0 : 2);
        await out.write('\n');
        await out.flush();
      } catch (e) {
        if (e instanceof BankParseError) {
          console.error(`${file}:${e.line}: ${e.reason} [${e.code}]`);
          await spooled?.dispose();
          process.exit(2);
        }
        throw e;
      } finally {
        await spooled?.dispose();
      }
    });
  bank
    .command('import')
    .argument('<file>', 'выписка 1CClientBankExchange (kl_to_1c.txt); - читает stdin')
    .description(
      'загрузить поступления: сопоставить каждое с заказом, записать один раз (тот же платёж в следующей или перекрывающейся выписке пропускается), ' +
        'полностью оплаченным заказам — статус 3 / статус оплаты 2, документы поступления — в очередь в 1С. Несопоставленные платежи — в список на решение (regate bank unmatched).',
    )
    .option('--dry-run', 'пробный прогон: тот же отчёт, что у загрузки, но ничего не записывается')
    .option('--json', 'отчёт в JSON')
    .action(async (file: string, opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const { readFileSync } = await import('node:fs');
      const { basename } = await import('node:path');
      const { BankParseError } = await import('../../bank/parse/index.js');
      const { ImportRefused } = await import('../../bank/import/index.js');
      const config = configOf(cmd);
      const bytes = readFileSync(file === '-' ? 0 : file);
      await withBank(config, async (bank) => {
        try {
          const meta = { source: 'cli', name: file === '-' ? 'stdin' : basename(file) };
          // A dry run is the importer's real import rolled back: the same counts as the import, nothing kept.
          const r = bank.importBytes(bytes, meta, { dryRun: opts.dryRun });
          if (opts.json) return console.log(JSON.stringify(r, null, 2));
          console.log(importSummary(r, !!opts.dryRun));
          for (const w of r.notes) console.log(`  предупреждение, строка ${w.line}: ${w.message}`);
        } catch (e) {
          if (e instanceof BankParseError) {
            console.error(`${file}:${e.line}: ${e.reason} [${e.code}]`);
            process.exitCode = 2;
            return;
          }
          if (e instanceof ImportRefused) {
            console.error(`${file}: ${e.message}`);
            process.exitCode = 3;
            return;
          }
          throw e;
        }
      });
    });

  bank
    .command('unmatched')
    .description('платежи, ждущие решения человека: заказ не найден, подходит несколько, переплата')
    .option('-n, --limit <n>', 'не больше стольких', '100')
    .option('--json', 'вывести JSON')
    .action(async (opts: { limit: string; json?: boolean }, cmd: Command) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit: целое число больше нуля');
      const { REVIEW_REASON } = await import('../../bank/import/index.js');
      await withBank(configOf(cmd), async (bank) => {
        const r = bank.unmatched({ limit });
        if (opts.json) return console.log(JSON.stringify(r, null, 2));
        if (r.total === 0) return console.log('нет платежей, ждущих решения');
        console.log(`ждут решения: ${r.total}${r.total > r.items.length ? ` (показаны ${r.items.length})` : ''}\n`);
        for (const i of r.items) {
          console.log(
            [
              `#${i.id}  п/п ${i.number || '(без номера)'} от ${i.date}  ${rub(i.amountKopecks)}  ${i.result}: ${REVIEW_REASON[i.reason] ?? i.reason}`,
              `    плательщик: ${i.payer.name ?? '?'}${i.payer.inn ? `, ИНН ${i.payer.inn}` : ''}${i.payer.account ? `, счёт ${i.payer.account}` : ''}`,
              `    назначение: ${i.purpose}`,
              ...(i.candidates.length ? [`    подходят заказы: ${i.candidates.map((c) => `${c.number || c.orderId} (${rub(c.amountKopecks - c.paidKopecks)} к оплате)`).join(', ')}`] : []),
              ...(i.orderId
                ? [
                    `    зачтён на заказ ${i.orderId}${i.decision?.action === 'applied' ? ` (${i.decision.by}, ${i.decision.at})` : ''}` +
                      (i.excessKopecks ? `; переплата ${rub(i.excessKopecks)}: когда излишек решён в 1С, закройте: regate bank resolve ${i.id} --note «…»` : ''),
                  ]
                : []),
              `    выписка: ${i.statement.name} (${i.statement.source}, ${i.statement.importedAt})`,
            ].join('\n'),
          );
        }
      });
    });

  bank
    .command('resolve')
    .argument('<id>', 'номер платежа (#id) из regate bank unmatched')
    .description('решить платёж из списка: --order зачитывает его на заказ (как при сопоставлении: сумма оплаты, статус 3/2 при полной оплате, документ в 1С); без --order платёж закрывается с пояснением --note')
    .option('--order <orderId>', 'заказ, на который зачесть платёж: идентификатор Richest.store или номер в 1С')
    .option('--note <text>', 'почему (обязательно без --order)')
    .option('--by <name>', 'кто решил (ФИО для журнала); по умолчанию пользователь ОС, при sudo — тот, кто вызвал sudo')
    .option('--yes', 'зачесть, несмотря на предупреждения (ИНН плательщика не совпадает с ИНН клиента, переплата, частичная оплата)')
    .action(async (id: string, opts: { order?: string; note?: string; by?: string; yes?: boolean }, cmd: Command) => {
      const n = Number(id.replace(/^#/, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error('<id>: номер платежа из regate bank unmatched');
      const { userInfo } = await import('node:os');
      const { ReviewError } = await import('../../bank/import/index.js');
      const { findOrder, warningsFor } = await import('../../console/data.js');
      // "root" in the audit says nothing: the person behind sudo, or the name given.
      const by = opts.by?.trim() || process.env.SUDO_USER || userInfo().username;
      await withBank(configOf(cmd), async (bank, db) => {
        let orderId = opts.order;
        if (opts.order) {
          const o = findOrder(db, opts.order);
          if (!o) {
            console.error(`нет заказа ${opts.order}`);
            process.exitCode = 1;
            return;
          }
          orderId = o.id;
          const item = bank.unmatched({ limit: 1, afterId: n - 1 }).items.find((x) => x.id === n);
          const warnings = item ? warningsFor(item.payer.inn, item.amountKopecks, o) : [];
          if (warnings.length && !opts.yes) {
            console.error(`платёж #${n} не зачтён:\n${warnings.map((w) => `  - ${w}`).join('\n')}\nЕсли всё верно, повторите с --yes (и поясните в --note).`);
            process.exitCode = 1;
            return;
          }
        }
        try {
          const r = bank.resolve(n, { orderId, note: opts.note, by });
          console.log(
            r.resolution === 'applied'
              ? `платёж #${n} зачтён на заказ ${r.orderId}${r.paid ? ': заказ оплачен (статус 3), документ поступления будет проведён в 1С' : ': оплачен частично, документ поступления будет проведён в 1С'}` +
                  (r.excessKopecks
                    ? `\nпереплата ${rub(r.excessKopecks)}: платёж остаётся в списке (regate bank unmatched), пока излишек не решён в 1С — тогда regate bank resolve ${n} --note «…»`
                    : '') +
                  `\nотменить, пока документ не ушёл в 1С: regate bank undo ${n}`
              : `платёж #${n} закрыт без зачёта${r.orderId ? ` (излишек по заказу ${r.orderId})` : ''}; отменить: regate bank undo ${n}`,
          );
        } catch (e) {
          if (e instanceof ReviewError) {
            console.error(e.message);
            process.exitCode = 1;
            return;
          }
          throw e;
        }
      });
    });

  bank
    .command('undo')
    .argument('<id>', 'номер платежа (#id)')
    .description(
      'отменить последнее решение по платежу: закрытый платёж возвращается в список; зачтённый — снимается с заказа (сумма оплаты, статус заказа — как были, ' +
        'задание для 1С снимается), пока документ поступления не ушёл в 1С. Проведённый в 1С документ отменяется в 1С.',
    )
    .option('--note <text>', 'почему отменяется')
    .option('--by <name>', 'кто отменяет (ФИО для журнала); по умолчанию пользователь ОС, при sudo — тот, кто вызвал sudo')
    .action(async (id: string, opts: { note?: string; by?: string }, cmd: Command) => {
      const n = Number(id.replace(/^#/, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error('<id>: номер платежа');
      const { userInfo } = await import('node:os');
      const { ReviewError } = await import('../../bank/import/index.js');
      const { ORDER_STATUS } = await import('../../orders/statuses.js');
      const by = opts.by?.trim() || process.env.SUDO_USER || userInfo().username;
      await withBank(configOf(cmd), async (bank) => {
        try {
          const r = bank.undo(n, { by, note: opts.note });
          if (r.undone === 'dismissed') console.log(`платёж #${n} снова ждёт решения (закрытие отменено)`);
          else {
            console.log(
              `зачёт платежа #${n} на заказ ${r.orderId} отменён: заказ в статусе ${r.orderStatus} (${ORDER_STATUS[r.orderStatus as keyof typeof ORDER_STATUS] ?? '?'}), платёж снова ждёт решения` +
                (r.droppedJob ? `; задание #${r.droppedJob} для 1С снято` : ''),
            );
            if (r.attempts > 0) console.log(`  внимание: задание успело сделать попыток: ${r.attempts}; если документ поступления всё же появился в 1С, пометьте его на удаление там`);
          }
        } catch (e) {
          if (e instanceof ReviewError) {
            console.error(e.message);
            process.exitCode = 1;
            return;
          }
          throw e;
        }
      });
    });

  bank
    .command('run')
    .description('один проход настроенных источников сейчас (bank.watchDir, bank.api), как по расписанию')
    .option('--json', 'вывести JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withBank(configOf(cmd), async (bank) => {
        const r = await bank.run();
        if (opts.json) return console.log(JSON.stringify(r, null, 2));
        if (!r.folder && !r.folderError && !r.api) console.log('источники не настроены: задайте bank.watchDir и/или bank.api');
        if (r.folderError) console.log(`папка: ОШИБКА ${r.folderError}`);
        for (const f of r.folder?.imported ?? []) {
          console.log(`${f.file}: ${importSummary(f.report, false)} → ${f.movedTo}`);
          for (const w of f.report.notes ?? []) console.log(`  предупреждение, строка ${w.line}: ${w.message}`);
        }
        for (const f of r.folder?.failed ?? []) console.log(`${f.file}: ОШИБКА ${f.error} → ${f.movedTo}`);
        for (const f of r.folder?.waiting ?? []) console.log(`${f}: ещё записывается, в следующий раз`);
        if (r.api) console.log(`${r.api.source}: ${r.api.error ? `ОШИБКА ${r.api.error}` : importSummary(r.api.report!, false)}`);
        if (r.folderError || r.folder?.failed.length || r.api?.error) process.exitCode = 1;
      });
    });
}

const rub = (k: number) => `${(k / 100).toLocaleString('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} руб.`;

function importSummary(r: import('../../bank/import/types.js').ImportReport, dryRun: boolean): string {
  if (r.duplicate) return `эта выписка уже загружена: ничего не изменено (поступлений в ней: ${r.incoming})`;
  const parts = [
    `поступлений ${r.incoming}`,
    `новых ${r.newPayments}`,
    `уже известных ${r.known}`,
    ...(r.foreign ? [`по чужим счетам ${r.foreign}`] : []),
    `зачтено ${r.matched}${r.partial ? ` (частично ${r.partial})` : ''}`,
    `заказов оплачено ${r.paidOrders.length}`,
    `на проверку ${r.review}`,
    ...(r.warnings ? [`предупреждений в выписке ${r.warnings}`] : []),
  ];
  return `${dryRun ? 'пробный прогон, ничего не записано: ' : ''}${parts.join(', ')}`;
}

type Db = import('../../db/open.js').Db;

async function withBank(config: import('../../config/index.js').Config, fn: (bank: import('../../bank/import/service.js').BankService, db: Db) => Promise<void>) {
  const { openDb } = await import('../../db/open.js');
  const { bankServiceFromConfig } = await import('../../bank/import/index.js');
  const db = openDb(config.database.path);
  try {
    await fn(bankServiceFromConfig(db, config), db);
  } finally {
    db.close();
  }
}

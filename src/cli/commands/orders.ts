import type { Command } from 'commander';
import { configOf } from '../context.js';

/**
 * `regate orders returns` — for the accountant: shipped goods that came back with a shop's refund by lines
 * (issue 14.4). ReGate prepares the money's refund document in 1C; the goods return (УТ: «Возврат товаров от
 * клиента» on the basis of the sale) is made by a person, and this list says against which sale and what.
 * `regate orders returns done <orderId> [refundId]` marks one made. Works on the database file directly, next to
 * the running daemon (SQLite WAL).
 */
export function register(program: Command) {
  const orders = program.command('orders').description('заказы магазина: что требует действий в 1С');
  const returns = orders
    .command('returns')
    .description('возвраты отгруженного товара, которые нужно оформить в 1С («Возврат товаров от клиента» на основании реализации)')
    .option('--json', 'вывести JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withDb(cmd, async (db) => {
        const { openGoodsReturns } = await import('../../orders/goods-returns.js');
        const open = openGoodsReturns(db);
        if (opts.json) return console.log(JSON.stringify(open, null, 2));
        if (!open.length) return console.log('возвратов товаров к оформлению нет');
        const nameOf = db.prepare(`SELECT name FROM catalog_items WHERE id = ?`).pluck();
        for (const r of open) {
          console.log(
            `Заказ ${r.orderId}${r.orderNumber ? ` (в 1С № ${r.orderNumber})` : ''}, возврат ${r.refundId || '(без refundId)'} от ${r.createdAt.slice(0, 16).replace('T', ' ')}` +
              `\n  на основании реализации: ${r.sales.length ? r.sales.join(', ') : 'номер не прочитан (реализации заказа ищите в 1С)'}`,
          );
          for (const l of r.lines) console.log(`  ${(nameOf.get(l.itemId) as string | undefined) ?? l.itemId}: ${l.quantity}`);
        }
        console.log(`\nВсего: ${open.length}. Оформив возврат в 1С, отметьте его: regate orders returns done <заказ> [refundId]`);
      });
    });
  returns
    .command('done <orderId> [refundId]')
    .description('отметить возврат товаров оформленным в 1С')
    .action(async (orderId: string, refundId: string | undefined, _opts, cmd: Command) => {
      await withDb(cmd, async (db) => {
        const { markGoodsReturnDone } = await import('../../orders/goods-returns.js');
        const { DomainError } = await import('../../orders/errors.js');
        try {
          const r = markGoodsReturnDone(db, orderId, refundId ?? '', new Date());
          console.log(r.changed ? `возврат товаров по заказу ${orderId} отмечен оформленным` : `возврат товаров по заказу ${orderId} уже был отмечен оформленным`);
        } catch (e) {
          if (e instanceof DomainError) {
            console.error(`${e.message}: нет возврата отгруженного товара${refundId ? ` с refundId ${refundId}` : ' без refundId'} (список: regate orders returns)`);
            process.exitCode = 1;
            return;
          }
          throw e;
        }
      });
    });
}

async function withDb(cmd: Command, fn: (db: import('../../db/open.js').Db) => Promise<void> | void): Promise<void> {
  const { openDb } = await import('../../db/open.js');
  const db = openDb(configOf(cmd).database.path);
  try {
    await fn(db);
  } finally {
    db.close();
  }
}

/**
 * A generated cp1251 1CClientBankExchange statement of a given size (Sber style: one account section per day,
 * ~1 KB documents, CRLF), shared by bench/bank-parse.ts and bench/bank-stream.ts.
 */
import iconv from 'iconv-lite';
import { closeSync, openSync, writeSync } from 'node:fs';

export const OWN = '40702810938000012345';
const EOL = '\r\n';

export function generate(path: string, bytes: number): { docs: number; days: number } {
  const fd = openSync(path, 'w');
  let written = 0;
  let chunk: string[] = [];
  let chunkLen = 0;
  const put = (s: string) => {
    chunk.push(s);
    chunkLen += s.length;
    if (chunkLen > 1 << 20) flush();
  };
  const flush = () => {
    const b = iconv.encode(chunk.join(''), 'cp1251');
    writeSync(fd, b);
    written += b.length;
    chunk = [];
    chunkLen = 0;
  };
  const lines = (...ls: string[]) => put(ls.join(EOL) + EOL);
  lines(
    '1CClientBankExchange',
    'ВерсияФормата=1.03',
    'Кодировка=Windows',
    'Отправитель=СберБизнес',
    'Получатель=1С:Предприятие',
    'ДатаСоздания=01.01.2026',
    'ВремяСоздания=10:00:00',
    'ДатаНачала=01.01.2025',
    'ДатаКонца=31.12.2025',
    `РасчСчет=${OWN}`,
    'Документ=Платежное поручение',
  );
  let docs = 0;
  let day = 0;
  let balance = 100_000_00;
  const perDay = 400;
  while (written + chunkLen * 1.0 < bytes) {
    const date = new Date(Date.UTC(2025, 0, 1 + (day % 365)));
    const dd = `${String(date.getUTCDate()).padStart(2, '0')}.${String(date.getUTCMonth() + 1).padStart(2, '0')}.${date.getUTCFullYear()}`;
    const amounts: number[] = [];
    for (let i = 0; i < perDay; i++) amounts.push(((docs + i) * 7919) % 5_000_000 + 1);
    const incoming = amounts.filter((_, i) => i % 3 !== 0).reduce((a, b) => a + b, 0);
    const outgoing = amounts.filter((_, i) => i % 3 === 0).reduce((a, b) => a + b, 0);
    const rub = (k: number) => `${Math.trunc(k / 100)}.${String(k % 100).padStart(2, '0')}`;
    lines(
      'СекцияРасчСчет',
      `ДатаНачала=${dd}`,
      `ДатаКонца=${dd}`,
      `РасчСчет=${OWN}`,
      `НачальныйОстаток=${rub(balance)}`,
      `ВсегоПоступило=${rub(incoming)}`,
      `ВсегоСписано=${rub(outgoing)}`,
      `КонечныйОстаток=${rub(balance + incoming - outgoing)}`,
      'КонецРасчСчет',
    );
    balance += incoming - outgoing;
    for (let i = 0; i < perDay; i++, docs++) {
      const inc = i % 3 !== 0;
      const other = `407028107${String(docs % 100000000000).padStart(11, '0')}`;
      const [payer, payee] = inc ? [other, OWN] : [OWN, other];
      lines(
        'СекцияДокумент=Платежное поручение',
        `Номер=${(docs % 99999) + 1}`,
        `Дата=${dd}`,
        `Сумма=${rub(amounts[i])}`,
        `ПлательщикСчет=${payer}`,
        `ДатаСписано=${inc ? '' : dd}`,
        `Плательщик=ИНН 7707083893 ООО "Покупатель номер ${docs}"`,
        'ПлательщикИНН=7707083893',
        `Плательщик1=ООО "Покупатель номер ${docs}"`,
        `ПлательщикРасчСчет=${payer}`,
        'ПлательщикБанк1=ПАО СБЕРБАНК',
        'ПлательщикБанк2=г. Москва',
        'ПлательщикБИК=044525225',
        'ПлательщикКорсчет=30101810400000000225',
        `ПолучательСчет=${payee}`,
        `ДатаПоступило=${inc ? dd : ''}`,
        'Получатель=ООО "Наш магазин"',
        'ПолучательИНН=7736207543',
        'Получатель1=ООО "Наш магазин"',
        `ПолучательРасчСчет=${payee}`,
        'ПолучательБанк1=ПАО СБЕРБАНК',
        'ПолучательБанк2=г. Москва',
        'ПолучательБИК=044525225',
        'ПолучательКорсчет=30101810400000000225',
        'ВидПлатежа=',
        'ВидОплаты=01',
        'Код=0',
        'СтатусСоставителя=',
        'ПлательщикКПП=770701001',
        'ПолучательКПП=773601001',
        'ПоказательКБК=',
        'ОКАТО=',
        'ПоказательОснования=',
        'ПоказательПериода=',
        'ПоказательНомера=',
        'ПоказательДаты=',
        'ПоказательТипа=',
        'Очередность=5',
        `НазначениеПлатежа=Оплата по счету № ТД00-${String(docs).padStart(6, '0')} от ${dd} за товары, в т.ч. НДС 20% - ${rub(Math.trunc(amounts[i] / 6))}`,
        'КонецДокумента',
      );
    }
    day++;
  }
  lines('КонецФайла');
  flush();
  closeSync(fd);
  return { docs, days: day };
}


/**
 * Statement parser throughput: `npx tsx bench/bank-parse.ts [MB]` (default 100).
 * Writes a cp1251 1CClientBankExchange file of ~MB megabytes to a temp dir (Sber style: one account section per
 * day, ~1 KB documents, CRLF), then measures in the same process:
 *   - read:     readFileSync of the file (the I/O an importer pays anyway);
 *   - baseline: decode cp1251 once + walk the lines with indexOf (the floor for any line parser in JS);
 *   - parse:    parseStatement(bytes) — decoding included.
 * Five rounds; prints median MB/s for each, the parse/baseline ratio, peak RSS of the first parse (getrusage
 * maxRSS) and the memory the parsed statement holds.
 */
import iconv from 'iconv-lite';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseStatement } from '../src/bank/parse/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const targetMB = Number(process.argv[2] ?? 100);
const OWN = '40702810938000012345';
const EOL = '\r\n';

function generate(path: string, bytes: number): { docs: number; days: number } {
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

/** The floor: one decode + one pass over the lines, touching each line's first char (so nothing is optimised away). */
function baseline(bytes: Uint8Array): number {
  const text = new TextDecoder('windows-1251').decode(bytes);
  let pos = 0;
  let n = 0;
  let sum = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) break;
    sum += text.charCodeAt(pos);
    pos = nl + 1;
    n++;
  }
  return n + (sum & 1);
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

const dir = mkdtempSync(join(tmpdir(), 'regate-bank-bench-'));
const file = join(dir, 'statement.txt');
try {
  const [gen, genMs] = time(() => generate(file, targetMB * 1024 * 1024));
  const size = statSync(file).size;
  const MB = size / (1024 * 1024);
  console.log(`generated ${MB.toFixed(1)} MB cp1251: ${gen.docs} documents, ${gen.days} day sections (${(genMs / 1000).toFixed(1)} s)`);

  // Each round runs in its own function so nothing from a previous round stays reachable.
  const round = (first: boolean) => {
    gc();
    const [bytes, readMs] = time(() => readFileSync(file));
    gc();
    const m0 = process.memoryUsage();
    const [st, parseMs] = time(() => parseStatement(bytes));
    // The first parse runs before anything else big has been allocated, so the process peak so far is its peak.
    const peak = first ? process.resourceUsage().maxRSS / 1024 : 0;
    gc();
    const m1 = process.memoryUsage();
    // heap + external: the decoded text is an external string that the values (V8 slices of it) keep alive
    const held = m1.heapUsed + m1.external - (m0.heapUsed + m0.external);
    const docs = st.documents.length;
    const [, baseMs] = time(() => baseline(bytes));
    return { readMs, parseMs, baseMs, peak, held, docs };
  };
  const runs = [round(true), round(false), round(false), round(false), round(false)];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const best = {
    read: median(runs.map((r) => r.readMs)),
    base: median(runs.map((r) => r.baseMs)),
    parse: median(runs.map((r) => r.parseMs)),
  };
  const { peak: parsePeakRss, held, docs } = runs[0];
  const cold = runs[0].parseMs;
  const rate = (ms: number) => MB / (ms / 1000);
  console.log(`read      ${best.read.toFixed(0).padStart(6)} ms  ${rate(best.read).toFixed(0).padStart(5)} MB/s`);
  console.log(`baseline  ${best.base.toFixed(0).padStart(6)} ms  ${rate(best.base).toFixed(0).padStart(5)} MB/s   (decode cp1251 + walk lines)`);
  console.log(`parse     ${best.parse.toFixed(0).padStart(6)} ms  ${rate(best.parse).toFixed(0).padStart(5)} MB/s   (${docs} documents; median of ${runs.length}, first run ${cold.toFixed(0)} ms)`);
  console.log(`ratio     parse takes ${(best.parse / best.base).toFixed(2)}× the baseline time (${((rate(best.parse) / rate(best.base)) * 100).toFixed(0)}% of its speed)`);
  console.log(`memory    peak RSS ${parsePeakRss.toFixed(0)} MB during the first parse (file buffer + text + statement + node itself);`);
  console.log(`          the parsed statement holds ${(held / 1024 / 1024).toFixed(0)} MB (heap + external), ${(held / size).toFixed(1)}× the file`);
  console.log(`target    ≥ 50 MB/s: ${rate(best.parse) >= 50 ? 'met' : 'NOT met'}`);
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else console.log(file);
}

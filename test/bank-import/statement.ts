/**
 * A 1CClientBankExchange statement written the way banks write them (UTF-8 here; the parser's encodings are tested
 * in test/bank), for the importer tests: our account, incoming payments from the clients.
 */
export const OWN = '40702810900000000001';
export const OWN_BIK = '044525104';
export const CLIENT_A_INN = '7707083893';
export const CLIENT_B_INN = '7728168971';
export const PERSON_INN = '500100732259';
export const ACC_A = '40702810400000000002';
export const ACC_B = '40702810400000000003';

export interface Doc {
  number: string;
  /** dd.mm.yyyy */
  date: string;
  /** roubles as the file writes them: "1234.50" */
  amount: string;
  payerAcc: string;
  payerInn: string;
  payerName: string;
  purpose: string;
  /** default: incoming to OWN */
  payeeAcc?: string;
}

export function statementText(docs: Doc[], o: { account?: string; extraAccounts?: string[]; from?: string; to?: string } = {}): string {
  const acc = o.account ?? OWN;
  const lines = [
    '1CClientBankExchange',
    'ВерсияФормата=1.03',
    'Кодировка=Windows',
    'Отправитель=Банк Тест',
    'Получатель=1С:Предприятие',
    `ДатаНачала=${o.from ?? '27.11.2026'}`,
    `ДатаКонца=${o.to ?? '28.11.2026'}`,
    `РасчСчет=${acc}`,
    ...(o.extraAccounts ?? []).map((a) => `РасчСчет=${a}`),
    'Документ=Платежное поручение',
  ];
  for (const d of docs) {
    lines.push(
      'СекцияДокумент=Платежное поручение',
      `Номер=${d.number}`,
      `Дата=${d.date}`,
      `Сумма=${d.amount}`,
      `ПлательщикСчет=${d.payerAcc}`,
      `Плательщик=${d.payerName}`,
      `ПлательщикИНН=${d.payerInn}`,
      `ПлательщикРасчСчет=${d.payerAcc}`,
      'ПлательщикБИК=044525225',
      `ПолучательСчет=${d.payeeAcc ?? acc}`,
      `ДатаПоступило=${d.date}`,
      'Получатель=ООО "Наш магазин"',
      'ПолучательИНН=7736207543',
      `ПолучательРасчСчет=${d.payeeAcc ?? acc}`,
      `ПолучательБИК=${OWN_BIK}`,
      `НазначениеПлатежа=${d.purpose}`,
      'КонецДокумента',
    );
  }
  lines.push('КонецФайла', '');
  return lines.join('\r\n');
}

/** A payment from client A (ИНН CLIENT_A_INN, account ACC_A) naming order ТД00-000123, overridable field by field. */
export const docFromA = (over: Partial<Doc> = {}): Doc => ({
  number: '101',
  date: '27.11.2026',
  amount: '1080.00',
  payerAcc: ACC_A,
  payerInn: CLIENT_A_INN,
  payerName: 'ООО "Альфа"',
  purpose: 'Оплата по счету ТД00-000123',
  ...over,
});

export const bytesOf = (docs: Doc[], o?: Parameters<typeof statementText>[1]) => Buffer.from(statementText(docs, o), 'utf8');

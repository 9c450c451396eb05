import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BANK_IN_SHOW_ERROR, CARD_SHOW_ERROR, ORDER_SHOW_ERROR, PAYMENT_LINE_SHOW_ERROR } from '../../src/emulator/posting/unf.js';
import { DUMPS, haveDump } from './harness.js';

/**
 * The fill-checking lists the УНФ stand-ins start from are the dump's own: every name is an attribute with
 * FillChecking = ShowError in the document's description file of unf-3.0.12-xml (and every ShowError header
 * attribute of those documents is in the list: none was left out by hand).
 */
const FOLDER = 'unf-3.0.12-xml';
const HAVE = haveDump(FOLDER);
if (!HAVE) console.warn(`test/configurations/unf-posting: ${join(DUMPS, FOLDER)} is absent — skipped`);

/** Header attributes and the attributes of one tabular section with FillChecking ShowError, read from the XML. */
function showError(doc: string, tabular?: string): string[] {
  const xml = readFileSync(join(DUMPS, FOLDER, 'Documents', `${doc}.xml`), 'utf8');
  const out: string[] = [];
  const sections = [...xml.matchAll(/<TabularSection\b[\s\S]*?<\/TabularSection>/g)].map((m) => m[0]);
  const header = sections.reduce((s, t) => s.replace(t, ''), xml);
  const scope = tabular ? (sections.find((s) => new RegExp(`<Name>${tabular}</Name>`).test(s)) ?? '') : header;
  for (const m of scope.matchAll(/<Attribute\b[\s\S]*?<\/Attribute>/g)) {
    if (/<FillChecking>ShowError<\/FillChecking>/.test(m[0])) out.push(/<Name>([^<]+)<\/Name>/.exec(m[0])![1]);
  }
  return out;
}

describe.skipIf(!HAVE)('УНФ stand-ins: fill checking comes from the dump', () => {
  it.each([
    ['ЗаказПокупателя', ORDER_SHOW_ERROR],
    ['ОперацияПоПлатежнымКартам', CARD_SHOW_ERROR],
    ['ПоступлениеНаСчет', BANK_IN_SHOW_ERROR],
  ])('%s: the header list is exactly its ShowError attributes', (doc, list) => {
    expect([...list].sort()).toEqual(showError(doc).sort());
  });

  it('the payment lines list is the ShowError columns of РасшифровкаПлатежа', () => {
    expect(PAYMENT_LINE_SHOW_ERROR.every((n) => showError('ОперацияПоПлатежнымКартам', 'РасшифровкаПлатежа').includes(n))).toBe(true);
    expect(PAYMENT_LINE_SHOW_ERROR.every((n) => showError('ПоступлениеНаСчет', 'РасшифровкаПлатежа').includes(n))).toBe(true);
    expect(showError('ЗаказПокупателя', 'Запасы')).toContain('Номенклатура');
  });
});

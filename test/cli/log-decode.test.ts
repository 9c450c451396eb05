import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, decodeUrlText, fixedFieldsLogger } from '../../src/log.js';
import { ODataError } from '../../src/onec/errors.js';

/** A logger writing its JSON lines into an array. */
function captured() {
  const lines: Record<string, any>[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: createLogger('info', dest as never), lines };
}

const NOM = encodeURIComponent('Catalog_Номенклатура');
const URL_1C = `http://1c.local/ut/odata/standard.odata/${NOM}(guid'0b5f7a2e-1111-2222-3333-444455556666')?$filter=${encodeURIComponent("Description eq 'Молоко 3,2%'")}`;

describe('logs show 1C Cyrillic URLs readable', () => {
  it('decodeUrlText: whole UTF-8 characters only; ASCII escapes and broken sequences stay', () => {
    expect(decodeUrlText(NOM)).toBe('Catalog_Номенклатура');
    expect(decodeUrlText(URL_1C)).toBe(
      "http://1c.local/ut/odata/standard.odata/Catalog_Номенклатура(guid'0b5f7a2e-1111-2222-3333-444455556666')?$filter=Description%20eq%20'Молоко%203%2C2%25'",
    );
    expect(decodeUrlText('a%2Fb%26c%3Dd%20e')).toBe('a%2Fb%26c%3Dd%20e'); // splitting characters are not decoded
    expect(decodeUrlText('%D0%9D%D0')).toBe('Н%D0'); // a cut sequence is left as it is
    expect(decodeUrlText('%C3%28 %E2%82%AC %F0%9F%98%80')).toBe('%C3%28 € 😀');
    expect(decodeUrlText('no escapes here')).toBe('no escapes here');
  });

  it('an OData error logged as err, a string field and the message: all decoded; secrets still redacted', () => {
    const { logger, lines } = captured();
    const e = new ODataError({ status: 500, method: 'GET', url: URL_1C.replace('http://', 'http://odata:secret@'), message: 'Ошибка при выполнении запроса' });
    logger.error({ err: e, error: e.message, job: 7, password: 'p4ss' }, `read failed: ${NOM}`);
    const [l] = lines;
    expect(l.err.message).toContain('GET http://1c.local/ut/odata/standard.odata/Catalog_Номенклатура(guid');
    expect(l.err.url).toContain('/Catalog_Номенклатура(');
    expect(l.err.stack).toContain('Catalog_Номенклатура');
    expect(l.error).toContain("$filter=Description%20eq%20'Молоко%203%2C2%25': HTTP 500");
    expect(l.msg).toBe('read failed: Catalog_Номенклатура');
    expect(l.password).toBe('***');
    expect(JSON.stringify(l)).not.toContain('%D0');
    expect(JSON.stringify(l)).not.toContain('secret');
  });

  it('the access-log child logger decodes too', () => {
    const { logger, lines } = captured();
    fixedFieldsLogger(logger).info({ path: `/api/v1/assortment?q=${encodeURIComponent('молоко')}`, status: 200 }, 'request');
    expect(lines[0].path).toBe('/api/v1/assortment?q=молоко');
  });
});

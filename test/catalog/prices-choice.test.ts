import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { getProfile } from '../../src/onec/profiles/index.js';
import { pricesOf } from '../../src/catalog/sync.js';

const config = parseConfig({});
const profile = getProfile('ut11.5', config);
const ITEM = '11111111-0000-4000-8000-000000000001';
const KIND = '22222222-0000-4000-8000-000000000001';
const CHAR = '33333333-0000-4000-8000-000000000001';
const BOX = '44444444-0000-4000-8000-000000000001';
// Normalised rows of ЦеныНоменклатуры25_RecordType/SliceLast (empty references are null after the client).
const row = (price: number, characteristic: string | null, packaging: string | null) => ({
  Period: new Date(), Номенклатура_Key: ITEM, ВидЦены_Key: KIND, ХарактеристикаЦО_Key: characteristic, Упаковка_Key: packaging, Цена: price, Валюта_Key: null,
});

describe('one price per item and kind from the price slice', () => {
  it('the item without a characteristic wins over its characteristics, whatever the order', () => {
    for (const rows of [[row(120, CHAR, null), row(100, null, null)], [row(100, null, null), row(120, CHAR, null)]]) {
      expect(pricesOf(profile, rows, new Map())).toEqual([{ itemId: ITEM, priceKindId: KIND, price: 100 }]);
    }
  });

  it('a per-unit price wins over a per-packaging one; a packaging price alone is divided by its ratio', () => {
    expect(pricesOf(profile, [row(1200, null, BOX), row(110, null, null)], new Map([[BOX, 12]]))).toEqual([{ itemId: ITEM, priceKindId: KIND, price: 110 }]);
    expect(pricesOf(profile, [row(1200, null, BOX)], new Map([[BOX, 12]]))).toEqual([{ itemId: ITEM, priceKindId: KIND, price: 100 }]);
  });
});

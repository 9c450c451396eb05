import type { Db } from '../db/open.js';

/**
 * Issue 17: a packaging the item is sold by (catalog_item_packagings: its own Catalog_УпаковкиЕдиницыИзмерения and its
 * packaging set's), for the booking path: a line `{ itemId, packagingId, quantity: packs }` is `packs × ratio` units
 * of the item — what stock, limits and prices are counted in — and goes to 1C as Упаковка_Key, КоличествоУпаковок =
 * packs, Количество = packs × ratio, Цена per packaging (the УТ profile's orderDocument does that from
 * OrderLineInput.packagingId / packagingRatio). undefined: the item has no such packaging (a 422 naming the field).
 */
export function packagingOf(db: Db, itemId: string, packagingId: string): { id: string; name: string; ratio: number } | undefined {
  return db.prepare(`SELECT id, name, ratio FROM catalog_item_packagings WHERE item_id = ? AND id = ?`).get(itemId, packagingId) as { id: string; name: string; ratio: number } | undefined;
}

/** Units of the item in `packs` packagings of `ratio`, to the gram/millilitre (1C keeps Количество to 3 decimals). */
export const unitsOfPacks = (packs: number, ratio: number) => Math.round(packs * ratio * 1000) / 1000;

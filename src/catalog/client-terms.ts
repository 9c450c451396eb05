import type { Db } from '../db/open.js';

/**
 * Issue 17: the terms of a client that has an agreement of its own in 1C (a non-typical Соглашение с клиентом in force,
 * mirrored by the full sync in catalog_client_price_kinds). Booking prices such a client by the agreement's price kind
 * (catalog/service.ts applyClientPriceKind); its ЗаказКлиента must then be made under that agreement too, not the
 * typical one web orders use: the agreement is what gives the order its ЦенаВключаетНДС (and terms of payment) when
 * a manager fills it (WRITE-RULES §1.2: work1cblackbird/ut11 Documents/ЗаказКлиента/Ext/ObjectModule.bsl:67-262), and a
 * sale made from the order inherits it. Returns what overrides the typical terms (OrderRefs fields), or {} when the
 * client has no agreement of its own (or 1C does not know the client yet).
 */
export function clientOrderTerms(db: Db, partnerKey: string | null | undefined): { agreementKey?: string; pricesIncludeVat?: boolean } {
  if (!partnerKey) return {};
  const row = db.prepare(`SELECT * FROM catalog_client_price_kinds WHERE partner_id = ?`).get(partnerKey) as { agreement_id: string; includes_vat?: number | null } | undefined;
  if (!row) return {};
  return { agreementKey: row.agreement_id, ...(row.includes_vat == null ? {} : { pricesIncludeVat: row.includes_vat === 1 }) };
}

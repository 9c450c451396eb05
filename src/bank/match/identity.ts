import { createHash } from 'node:crypto';

/**
 * A payment's identity across overlapping statements (daily sections repeated, a period imported twice):
 * (own account, Номер, Дата, Сумма, ПлательщикСчет) — FORMAT-NOTES.md. Номер is trimmed and upper-cased (banks
 * differ in letter case for lettered numbers); the payer account falls back to ПлательщикРасчСчет.
 */
export interface PaymentIdentityInput {
  ownAccount: string | null;
  number: string;
  date: string; // yyyy-mm-dd
  amountKopecks: number;
  payer: { account: string | null; settlementAccount: string | null };
}

export function paymentKey(d: PaymentIdentityInput): string {
  return [d.ownAccount ?? '', d.number.trim().toUpperCase(), d.date, String(d.amountKopecks), d.payer.account ?? d.payer.settlementAccount ?? ''].join('|');
}

/** sha256 of paymentKey, hex, 64 chars: fixed width for a UNIQUE index or an outbox idempotency key. */
export function paymentKeyHash(d: PaymentIdentityInput): string {
  return createHash('sha256').update(paymentKey(d)).digest('hex');
}

export { matchPayment, memoryLookup } from './match.js';
export type { OpenOrder, OpenOrderLookup, PaymentInput, MatchResult, Coverage, AmbiguousReason, UnmatchedReason } from './match.js';
export { isValidInn, innFromText, payerInn, isTransitAccount, TRANSIT_PREFIXES, type PayerInn, type PayerLike } from './inn.js';
export { extractOrderRefs, orderNumberKey, orderNumberPrefix, refNamesOrder, refStrength, type OrderRef } from './purpose.js';
export { paymentKey, paymentKeyHash, type PaymentIdentityInput } from './identity.js';

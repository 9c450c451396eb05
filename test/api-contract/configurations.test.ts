import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { getProfile } from '../../src/onec/profiles/index.js';
import { hasAccountingSettlements } from '../../src/onec/accounting.js';
import { CONFIGURATION_NOTES, type NotedFamily } from '../../src/api/schemas/configurations.js';
import { exportedDocument, operations } from './document.js';

/**
 * The OpenAPI says per method what УНФ, БП and Розница leave empty or refuse (issue 18.5). The notes are prose, so
 * they are held here against what each profile can actually do: a method noted «422 not_supported» is exactly one
 * whose write the profile lacks, «fulfilment всегда none» exactly a profile without a shipment read, «balance всегда
 * 0» exactly one without a client balance read.
 */
let doc: any;
beforeAll(async () => {
  doc = await exportedDocument();
});

const FAMILIES: NotedFamily[] = ['unf', 'bp', 'roznica'];
const profileOf = (id: NotedFamily) => getProfile(id, parseConfig({ onec: { profile: id } }));
const note = (op: string, f: NotedFamily) => CONFIGURATION_NOTES[op]?.[f] ?? '';

describe('per-configuration notes in the OpenAPI document', () => {
  it('every noted operation exists and carries its notes, for machines and in its description', () => {
    const ops = new Map(operations(doc).map(([, , op]) => [op.operationId, op]));
    for (const [id, notes] of Object.entries(CONFIGURATION_NOTES)) {
      const op = ops.get(id) as any;
      expect(op, id).toBeDefined();
      expect(op['x-regate-configurations'], id).toEqual(notes);
      expect(op.description, id).toContain('По конфигурациям 1С');
      for (const text of Object.values(notes)) expect(op.description, id).toContain(text);
    }
  });

  it('say not_supported, fulfilment none and balance 0 exactly where the profiles lack the write or read', () => {
    for (const f of FAMILIES) {
      const p = profileOf(f);
      const refused = (op: string) => note(op, f).startsWith('422 not_supported');
      expect(refused('recordCardPayment'), `${f} paycard`).toBe(!p.writes.cardPaymentDocument);
      expect(refused('createRefund'), `${f} refund`).toBe(!p.writes.cardRefundDocument);
      expect(refused('updateBooking'), `${f} bookingupd`).toBe(!p.build.orderUpdatePatch);
      expect(note('getBookingState', f).includes('fulfilment всегда none'), `${f} fulfilment`).toBe(!p.reads.shipment);
      expect(note('findOrCreateClient', f).includes('balance всегда 0'), `${f} balance`).toBe(!p.reads.clientBalance && !hasAccountingSettlements(p));
    }
  });
});

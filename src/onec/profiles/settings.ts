import type { Config } from '../../config/schema.js';
import type { ODataClient } from '../client.js';
import { readAll } from '../read.js';
import { loadEmbedded } from '../dump/embedded.js';
import type { Profile, Row } from './types.js';

/**
 * `regate check` against a live base: every key and name the configuration points at exists there, and where a
 * default is taken from the base (the one terminal, agreement, cancel reason) it says which one — so an administrator
 * learns from the check, not from a dead job, that onec.acquiringTerminalKey names a deleted terminal or that the
 * base has two typical agreements and ReGate took none.
 */

export interface SettingFinding {
  /** The configuration key (`onec.agreementKey`) or what was looked at. */
  key: string;
  ok: boolean;
  /** Russian, for the administrator. */
  text: string;
}

const alive = (rows: Row[]) => rows.filter((r) => r.DeletionMark !== true && r.IsFolder !== true);
const named = (r: Row | undefined) => (r ? `«${String(r.Description ?? '').trim()}» (${String(r.Ref_Key)})` : '');

/**
 * Members of ТипыНалогообложенияНДС as the real dumps define them (src/onec/dump/embedded, both releases): the
 * standard interface does not publish an enum's members, so the live check holds the setting against the facts.
 */
export function vatTaxationMembers(): Set<string> {
  const out = new Set<string>();
  for (const id of ['ut-11.5.20', 'ut-11.4.2'] as const) {
    const e = loadEmbedded(id).objects.get('Enum.ТипыНалогообложенияНДС');
    for (const m of e?.values ?? []) out.add(m.name);
  }
  return out;
}

/** One finding per configured (or defaulted) reference the delivery of orders and payments will use. */
export async function verifySettings(client: ODataClient, profile: Profile, config: Config): Promise<SettingFinding[]> {
  const out: SettingFinding[] = [];
  const read = async (concept: keyof Profile['reads']): Promise<Row[] | undefined> => {
    const spec = profile.reads[concept];
    return spec ? alive(await readAll(client, spec)) : undefined;
  };
  /** A configured key must name a live row; without one, a default is taken only when the base has exactly one. */
  const pick = (key: string, what: string, rows: Row[] | undefined, configured: string | undefined, candidates = rows) => {
    if (!rows) return;
    if (configured) {
      const hit = rows.find((r) => r.Ref_Key === configured);
      out.push(hit ? { key, ok: true, text: `${key}: ${what} ${named(hit)} есть в базе` } : { key, ok: false, text: `${key}: ${configured} — такого элемента (${what}) в базе нет или он помечен на удаление` });
      return;
    }
    const list = candidates ?? [];
    if (list.length === 1) out.push({ key, ok: true, text: `${key} не задан: берётся единственный — ${what} ${named(list[0])}` });
    else out.push({ key, ok: list.length === 0, text: list.length === 0 ? `${key} не задан, в базе нет ни одного (${what}): документы пойдут без него` : `${key} не задан, а в базе их ${list.length}: ${list.slice(0, 5).map(named).join(', ')} — укажите нужный` });
  };

  const orgs = await read('organisation');
  if (orgs) {
    const configured = config.onec.organisationKey;
    if (configured) pick('onec.organisationKey', 'организация', orgs, configured);
    else {
      const first = orgs.find((r) => String(r.ИНН ?? '').trim());
      out.push({ key: 'onec.organisationKey', ok: !!first, text: first ? `onec.organisationKey не задан: берётся первая организация с ИНН — ${named(first)}` : 'onec.organisationKey не задан, и ни у одной организации нет ИНН' });
    }
  }
  const terminals = await read('acquiringTerminal');
  const shopOf = (r: Row) => profile.map.toAcquiring?.(r).shopKey ?? null;
  if (terminals && !config.onec.acquiringTerminalKey && terminals.length > 1 && terminals.every((r) => shopOf(r))) {
    // Розница 2.2: a card payment goes through a terminal of the order's shop (DeliveryContext.acquiring per store), so
    // several terminals are fine as long as no shop has more than one.
    const perShop = new Map<string, Row[]>();
    for (const r of terminals) perShop.set(shopOf(r)!, [...(perShop.get(shopOf(r)!) ?? []), r]);
    const crowded = [...perShop.values()].filter((l) => l.length > 1);
    out.push(
      crowded.length === 0
        ? { key: 'onec.acquiringTerminalKey', ok: true, text: `onec.acquiringTerminalKey не задан: у каждого магазина свой терминал (${perShop.size} магазинов), оплата картой пойдёт через терминал магазина заказа` }
        : { key: 'onec.acquiringTerminalKey', ok: false, text: `onec.acquiringTerminalKey не задан, а у магазина несколько терминалов: ${crowded[0].slice(0, 5).map(named).join(', ')} — укажите нужный` },
    );
  } else pick('onec.acquiringTerminalKey', 'эквайринговый терминал', terminals, config.onec.acquiringTerminalKey);
  const agreements = await read('agreement');
  if (agreements) {
    const org = config.onec.organisationKey;
    const typical = agreements.filter((r) => r.Типовое === true && r.Статус === 'Действует' && (!org || !r.Организация_Key || r.Организация_Key === org));
    if (config.onec.agreementKey || typical.length === 1) pick('onec.agreementKey', 'соглашение с клиентами', agreements, config.onec.agreementKey, typical);
    else out.push({ key: 'onec.agreementKey', ok: true, text: typical.length ? `onec.agreementKey не задан, типовых действующих соглашений ${typical.length}: заказы пойдут без соглашения (укажите нужное)` : 'onec.agreementKey не задан, типовых соглашений нет: заказы без соглашения, ЦенаВключаетНДС — по виду цены' });
  }
  // An agreement that settles by contracts makes УТ's order form require Договор (ObjectModule.bsl ОбработкаПроверкиЗаполнения,
  // ДоговорОбязателенПоСоглашению; WRITE-RULES §1.4 «form-only»): ReGate creates no contracts, so such orders would
  // lack one — said here, before the first order.
  const chosen = agreements?.find((a) => a.Ref_Key === config.onec.agreementKey) ?? (config.onec.agreementKey ? undefined : agreements?.filter((r) => r.Типовое === true && r.Статус === 'Действует').at(0));
  if (chosen?.ИспользуютсяДоговорыКонтрагентов === true) {
    out.push({ key: 'onec.agreementKey', ok: false, text: `соглашение ${named(chosen)} ведёт расчёты по договорам: ReGate договоры не создаёт, заказы останутся без договора — выберите соглашение без договоров (onec.agreementKey)` });
  }
  const reasons = await read('cancelReason');
  if (reasons) pick('onec.cancelReasonKey', 'причина отмены', reasons, config.onec.cancelReasonKey, reasons.filter((r) => r.Predefined !== true));
  const items = await read('cashFlowItem');
  if (items) {
    for (const kind of ['receipt', 'refund'] as const) {
      const key = `onec.cashFlowItems.${kind}`;
      const configured = config.onec.cashFlowItems[kind];
      const predefined = profile.cashFlowPredefined?.[kind];
      if (configured) pick(key, 'статья движения денежных средств', items, configured);
      else if (predefined) {
        const hit = items.find((r) => r.PredefinedDataName === predefined);
        // As DeliveryContext.cashFlowItem: else the one item of that operation (Розница 2.2 fills a payment's item so).
        const byOperation = items.filter((r) => r.ХозяйственнаяОперация === predefined);
        out.push({
          key,
          ok: true,
          text: hit
            ? `${key} не задан: предопределённая статья ${named(hit)}`
            : byOperation.length === 1
              ? `${key} не задан: статья с операцией ${predefined} — ${named(byOperation[0])}`
              : `${key} не задан, статьи ${predefined} ${byOperation.length > 1 ? `несколько (${byOperation.length})` : 'нет'}: строки оплат пойдут без статьи ДДС`,
        });
      }
    }
  }
  if (config.onec.vatTaxation) {
    const members = vatTaxationMembers();
    const ok = members.has(config.onec.vatTaxation);
    out.push({ key: 'onec.vatTaxation', ok, text: ok ? `onec.vatTaxation: ${config.onec.vatTaxation}` : `onec.vatTaxation: «${config.onec.vatTaxation}» — нет такого значения ТипыНалогообложенияНДС (есть: ${[...members].join(', ')})` });
  }
  const kinds = await read('priceKind');
  if (kinds) {
    for (const [key, name] of [['catalog.retailPriceKind', config.catalog.retailPriceKind], ['catalog.tier1PriceKind', config.catalog.tier1PriceKind], ['catalog.tier2PriceKind', config.catalog.tier2PriceKind]] as const) {
      const hit = kinds.find((k) => String(k.Description ?? '').trim() === name);
      out.push({ key, ok: !!hit || key !== 'catalog.retailPriceKind', text: hit ? `${key}: вид цены «${name}» есть` : `${key}: вида цены «${name}» в базе нет (есть: ${kinds.map((k) => `«${String(k.Description ?? '').trim()}»`).join(', ')})` });
    }
  }
  return out;
}

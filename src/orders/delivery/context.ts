import type { Config } from '../../config/index.js';
import type { Db } from '../../db/open.js';
import type { Logger } from '../../log.js';
import { ODataBadRequest, ODataBusinessError, ODataError, ODataNotFound, ODataRights, guid, type ODataClient } from '../../onec/index.js';
import { readAll, readFew } from '../../onec/read.js';
import { getProfile, type Profile, type Row } from '../../onec/profiles/index.js';
import { PermanentError } from '../../outbox/index.js';

/** What a card operation names of the acquiring side (Profile.map.toAcquiring). */
export interface Acquiring {
  terminalKey: string | null;
  contractKey: string | null;
  acquirerKey: string | null;
  /**
   * Розница 2.2: its card document names the shop and the terminal's till payment kind (ВидыОплатЧекаККМ of the
   * terminal's tariff rows); its toAcquiring adds the kind, acquiring() the order's shop. Passed on to the builder as
   * PaymentRefs.shopKey / paymentKindKey.
   */
  shopKey?: string | null;
  paymentKindKey?: string | null;
}

export interface OrderTerms {
  agreementKey: string | null;
  pricesIncludeVat: boolean;
  vatTaxation: string;
}

export interface DeliveryDeps {
  db: Db;
  onec: ODataClient;
  config: Config;
  logger: Logger;
  profile?: Profile;
  /** The current profile (the runtime refines it from the base's $metadata); used when `profile` is not given. */
  profileOf?: () => Profile;
  now?: () => Date;
}

/**
 * What every handler shares: the profile, the 1C references that never change while the daemon runs (currency
 * 643, VAT rates, the organisation's bank account — read once, on first use), and a per-client lock so that
 * client.ensure and a booking for the same new client never both create a Партнер.
 */
export class DeliveryContext {
  readonly db: Db;
  readonly onec: ODataClient;
  readonly config: Config;
  readonly logger: Logger;
  /** The profile of the base as detected (it can be refined once $metadata is read: see runtime adaptToBase). */
  get profile(): Profile {
    return this.profileOf();
  }
  private readonly profileOf: () => Profile;
  readonly now: () => Date;
  readonly ext: boolean;
  /** One object shared by forJob() views (they inherit it; assigning a field on a view would not be shared). */
  private readonly cache: { salesUnit?: Promise<string | null>; cashFlow?: Promise<{ receipt: string | null; refund: string | null }>; terms?: Promise<OrderTerms>; cancelReason?: Promise<string | null>; currency?: Promise<string>; vatRates?: Promise<{ rates: Map<string, number | null>; rows: Row[] }>; bankAccounts?: Promise<Row[]>; asInvoice?: boolean; acquiring?: Map<string, Promise<Acquiring>> } = {};

  /**
   * The base makes new orders invoices (ЭтоЗаказКакСчет, learnt from the first order 1C wrote): build them
   * «На согласовании» from then on. Kept in the shared cache, so every job's view sees it.
   */
  get ordersAreInvoices(): boolean {
    return this.cache.asInvoice === true;
  }
  set ordersAreInvoices(v: boolean) {
    this.cache.asInvoice = v;
  }
  /** Item → its СтавкаНДС_Key, with when it was read (VAT of an item changes rarely; an hour is fresh enough). */
  private readonly itemVat = new Map<string, { key: string | null; at: number }>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly settlementObjects = new Map<string, string>();
  /** The running job's signal (lease lost, handler over time, worker stopping): writes stop when it fires. */
  signal?: AbortSignal;

  constructor(deps: DeliveryDeps) {
    this.db = deps.db;
    this.onec = deps.onec;
    this.config = deps.config;
    this.logger = deps.logger;
    const fixed = deps.profile ?? (deps.profileOf ? undefined : getProfile(deps.config.onec.profile, deps.config));
    this.profileOf = fixed ? () => fixed : deps.profileOf!;
    this.now = deps.now ?? (() => new Date());
    this.ext = deps.config.onec.extension;
  }

  /** The same context for one job: its 1C writes carry the job's signal (shares caches and locks). */
  forJob(signal: AbortSignal): DeliveryContext {
    const c = Object.create(this) as DeliveryContext;
    c.signal = signal;
    return c;
  }

  // 1C writes of the handlers go through these: checked against the job's signal before they are sent (a handler
  // whose lease was lost must not start a write another holder may be making) and aborted with it.
  create(set: string, body: Row): Promise<Row> {
    this.signal?.throwIfAborted();
    return this.onec.create(set, body, { signal: this.signal });
  }

  update(set: string, key: string, patch: Row, o: { ifMatch?: string } = {}): Promise<Row> {
    this.signal?.throwIfAborted();
    return this.onec.update(set, key, patch, { signal: this.signal, ...o });
  }

  post(set: string, key: string): Promise<void> {
    this.signal?.throwIfAborted();
    return this.onec.post(set, key, { signal: this.signal });
  }

  get(set: string, key: string): Promise<Row> {
    this.signal?.throwIfAborted();
    return this.onec.get(set, key, { signal: this.signal });
  }

  /** One small read (the currencies, a handful of rows): does 1C answer at all? */
  async ping(): Promise<void> {
    await readAll(this.onec, this.spec('currency'));
  }

  /** Runs fn with no other fn of the same name running in this process. */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    }
  }

  organisationKey(): string {
    if (this.config.onec.organisationKey) return this.config.onec.organisationKey;
    const raw = (this.db.prepare(`SELECT value FROM meta WHERE key = 'mirror.organisation'`).get() as { value: string } | undefined)?.value;
    const id = raw ? (JSON.parse(raw) as { id?: string }).id : undefined;
    // Not permanent: the first catalogue sync fills it, and the job succeeds on a later attempt.
    if (!id) throw new Error('the organisation is not known yet (no catalogue sync so far; or set onec.organisationKey)');
    return id;
  }

  currencyKey(): Promise<string> {
    this.cache.currency ??= (async () => {
      const rows = await readAll(this.onec, this.spec('currency'));
      const rub = rows.find((r) => String(r.Code ?? '').trim() === '643');
      if (!rub) throw new PermanentError('Catalog_Валюты has no currency with code 643');
      return String(rub.Ref_Key);
    })();
    this.cache.currency.catch(() => (this.cache.currency = undefined));
    return this.cache.currency;
  }

  private vat(): Promise<{ rates: Map<string, number | null>; rows: Row[] }> {
    this.cache.vatRates ??= (async () => {
      // 11.4 has no VAT catalog (the profile declares no vatRate read): ids are enum members that carry their rate.
      if (!this.profile.reads.vatRate) return { rates: new Map<string, number | null>(), rows: [] };
      const rows = await readAll(this.onec, this.spec('vatRate'));
      const rates = new Map(rows.map((r) => {
        const v = this.profile.map.toVatRate(r);
        return [v.id, v.rate] as [string, number | null];
      }));
      return { rates, rows };
    })();
    this.cache.vatRates.catch(() => (this.cache.vatRates = undefined));
    return this.cache.vatRates;
  }

  /**
   * Item key → { vatRateId, vatRate } for the items of an order (one request for those not read this hour). Where the
   * item holds a VAT kind rather than a rate item (УНФ's ВидСтавкиНДС), the profile's lineVat picks the rate item a
   * line dated `at` gets.
   */
  async vatOf(itemKeys: string[], at: Date = this.now()): Promise<Map<string, { vatRateId: string | null; vatRate: number | null }>> {
    const hour = 3_600_000;
    // The mirror has it (catalog_items.vat_rate_id, refreshed by every full sync): 1C is asked only for items the
    // mirror does not know.
    const mirrored = this.db
      .prepare(`SELECT id, vat_rate_id AS vat FROM catalog_items WHERE id IN (SELECT value FROM json_each(?)) AND vat_rate_id IS NOT NULL`)
      .all(JSON.stringify(itemKeys)) as { id: string; vat: string }[];
    for (const m of mirrored) this.itemVat.set(m.id, { key: m.vat, at: Date.now() });
    const stale = [...new Set(itemKeys)].filter((k) => {
      const c = this.itemVat.get(k);
      return !c || Date.now() - c.at > hour;
    });
    if (stale.length) {
      const field = this.profile.map.itemVatField;
      const rows = await this.onec.listByKeys('Catalog_Номенклатура', 'Ref_Key', stale.map(guid), { select: ['Ref_Key', field] });
      for (const r of rows) this.itemVat.set(String(r.Ref_Key), { key: (r[field] as string | null) || null, at: Date.now() });
    }
    const { rates, rows } = await this.vat();
    const out = new Map<string, { vatRateId: string | null; vatRate: number | null }>();
    const lineVat = this.profile.map.lineVat;
    for (const k of itemKeys) {
      const key = this.itemVat.get(k)?.key ?? null;
      if (lineVat) {
        out.set(k, lineVat(key, at, rows));
        continue;
      }
      const own = key ? this.profile.map.vatRateOfId(key) : null;
      out.set(k, { vatRateId: key, vatRate: key ? (own !== undefined ? own : (rates.get(key) ?? null)) : null });
    }
    return out;
  }

  /**
   * The acquiring terminal card operations go through and, in 11.5, its owner — the acquiring contract
   * (WRITE-RULES §3). onec.acquiringTerminalKey, else the one terminal the base has; with several and none configured
   * the documents go without (УТ's form would ask; the accountant fills it) and the log says which key to set.
   * Where terminals belong to the store's place (Розница: ЭквайринговыеТерминалы.Магазин; `storeId` given and the
   * profile has reads.storePlace): the place's one terminal, else onec.acquiringTerminalKey among the place's, as
   * Розница's form picks the shop's only valid terminal (ОплатаОтПокупателяПлатежнойКартой ФормаДокумента Module.bsl
   * 789-798, ЭквайринговыеТерминалы ManagerModule.bsl 61-98; DeZargo/1c_retail_apple @ 896da2e1); the place is then
   * the document's shop (Acquiring.shopKey). Read once per store.
   */
  acquiring(storeId?: string | null): Promise<Acquiring> {
    const byStore = (this.cache.acquiring ??= new Map());
    const key = storeId ?? '';
    const known = byStore.get(key);
    if (known) return known;
    const none: Acquiring = { terminalKey: null, contractKey: null, acquirerKey: null };
    const made = (async () => {
      const spec = this.profile.reads.acquiringTerminal;
      if (!spec) return none;
      const rows = (await readAll(this.onec, spec)).filter((r) => r.DeletionMark !== true && r.IsFolder !== true);
      const configured = this.config.onec.acquiringTerminalKey;
      const place = storeId ? await this.storePlaceOf(storeId) : null;
      // The terminal's shop as the profile maps it (Розница: Магазин), the same reading regate check uses.
      const own = place ? rows.filter((r) => this.profile.map.toAcquiring?.(r).shopKey === place) : rows;
      const chosen = place
        ? own.length === 1 ? own[0] : configured ? own.find((r) => r.Ref_Key === configured) : undefined
        : configured ? rows.find((r) => r.Ref_Key === configured) : rows.length === 1 ? rows[0] : undefined;
      if (!chosen) {
        this.logger.warn({ terminals: own.map((r) => ({ id: r.Ref_Key, name: r.Description })), ...(place ? { shop: place } : {}) }, configured ? 'onec.acquiringTerminalKey names no terminal of the base' + (place ? ' for this shop' : '') : 'several acquiring terminals (or none): set onec.acquiringTerminalKey');
        return place ? { ...none, shopKey: place } : none;
      }
      // The profile's mapping may add what its document names besides (Розница: the payment kind).
      const mapped = this.profile.map.toAcquiring?.(chosen) as Acquiring | undefined;
      if (mapped) return place ? { ...mapped, shopKey: place } : mapped;
      const owner = chosen.Owner_Key;
      return { terminalKey: String(chosen.Ref_Key), contractKey: typeof owner === 'string' && owner ? owner : null, acquirerKey: null };
    })();
    byStore.set(key, made);
    made.catch(() => byStore.delete(key));
    return made;
  }

  /** The place a store's orders are sold by (reads.storePlace: Розница's Магазин of the Склад), null without. */
  private async storePlaceOf(storeId: string): Promise<string | null> {
    const spec = this.profile.reads.storePlace;
    const place = this.profile.map.toStorePlace;
    if (!spec || !place) return null;
    return (await readFew(this.onec, spec, { warehouseKeys: [storeId] })).map(place).find((k): k is string => !!k) ?? null;
  }

  /**
   * What an order is made under, as УТ's order form fills it (WRITE-RULES §1.2): the agreement (onec.agreementKey, else
   * the organisation's one typical agreement in force), ЦенаВключаетНДС from it or else from the retail price kind
   * (ПродажиСервер 5560-5650: without agreements the default sales price kind's), НалогообложениеНДС configured,
   * else the 11.4 agreement's, else ПродажаОблагаетсяНДС. Read once; a base without the catalog gets the defaults.
   */
  orderTerms(): Promise<OrderTerms> {
    this.cache.terms ??= (async () => {
      const cfg = this.config.onec;
      let agreement: Row | undefined;
      const spec = this.profile.reads.agreement;
      if (spec) {
        const org = this.organisationKey();
        const rows = (await readAll(this.onec, spec)).filter((r) => r.DeletionMark !== true);
        agreement = cfg.agreementKey
          ? rows.find((r) => r.Ref_Key === cfg.agreementKey)
          : (() => {
              const typical = rows.filter((r) => r.Типовое === true && r.Статус === 'Действует' && (!r.Организация_Key || r.Организация_Key === org));
              return typical.length === 1 ? typical[0] : undefined;
            })();
        if (cfg.agreementKey && !agreement) this.logger.warn({ agreementKey: cfg.agreementKey }, 'onec.agreementKey names no agreement of the base: orders go without one');
      }
      let includesVat: boolean | undefined = typeof agreement?.ЦенаВключаетНДС === 'boolean' ? agreement.ЦенаВключаетНДС : undefined;
      if (includesVat === undefined && this.profile.reads.priceKind) {
        const kinds = await readAll(this.onec, this.spec('priceKind'));
        const retail = kinds.find((k) => String(k.Description ?? '').trim() === this.config.catalog.retailPriceKind && k.DeletionMark !== true);
        if (typeof retail?.ЦенаВключаетНДС === 'boolean') includesVat = retail.ЦенаВключаетНДС;
      }
      const taxation = cfg.vatTaxation ?? (typeof agreement?.НалогообложениеНДС === 'string' && agreement.НалогообложениеНДС ? agreement.НалогообложениеНДС : undefined);
      return { agreementKey: agreement ? String(agreement.Ref_Key) : null, pricesIncludeVat: includesVat ?? true, vatTaxation: taxation ?? 'ПродажаОблагаетсяНДС' };
    })();
    this.cache.terms.catch(() => (this.cache.terms = undefined));
    return this.cache.terms;
  }

  /**
   * The payer's account as 1C knows it: the client's (counterparty's) account with this number, or null — then the
   * receipt goes without it, as УТ's loader leaves it for an account it does not know (WRITE-RULES §4).
   */
  async payerAccountKey(accountNumber: string, counterpartyKey: string | null): Promise<string | null> {
    const spec = this.profile.reads.counterpartyAccount;
    if (!spec || !counterpartyKey) return null;
    const rows = await readFew(this.onec, spec, { accountNumber: accountNumber.trim() });
    const own = rows.find((r) => r.DeletionMark !== true && r.Owner === counterpartyKey && String(r.Owner_Type ?? '').endsWith('Catalog_Контрагенты'));
    return own ? String(own.Ref_Key) : null;
  }

  /**
   * The cash-flow item of a payment's lines: onec.cashFlowItems.<kind>, else the configuration's predefined item
   * (profile.cashFlowPredefined), else none — the accountant fills it. Read once.
   */
  async cashFlowItem(kind: 'receipt' | 'refund'): Promise<string | null> {
    this.cache.cashFlow ??= (async () => {
      const spec = this.profile.reads.cashFlowItem;
      const configured = this.config.onec.cashFlowItems;
      if (!spec) return { receipt: null, refund: null };
      const rows = (await readAll(this.onec, spec)).filter((r) => r.DeletionMark !== true);
      const names = this.profile.cashFlowPredefined;
      // Without a predefined item of that name, the one item whose ХозяйственнаяОперация is the operation of that name,
      // as Розница 2.2 fills a payment's item (СтатьиДвиженияДенежныхСредств ManagerModule.bsl 14-43: exactly one, not
      // deleted; DeZargo/1c_retail_apple @ 896da2e1). УТ's and УНФ's items are predefined (their reads carry no operation).
      const byOperation = (name: string) => {
        const own = rows.filter((r) => r.ХозяйственнаяОперация === name);
        return own.length === 1 ? (own[0].Ref_Key as string) : undefined;
      };
      const pick = (key: string | undefined, predefined: string | undefined) =>
        key ? (rows.some((r) => r.Ref_Key === key) ? key : null) : predefined ? ((rows.find((r) => r.PredefinedDataName === predefined)?.Ref_Key as string | undefined) ?? byOperation(predefined) ?? null) : null;
      return { receipt: pick(configured.receipt, names?.receipt ?? (rows[0]?.PredefinedDataName as string | undefined)), refund: pick(configured.refund, names?.refund) };
    })();
    this.cache.cashFlow.catch(() => (this.cache.cashFlow = undefined));
    return (await this.cache.cashFlow)[kind];
  }

  /**
   * The department an order is sold by, where the configuration requires one (УНФ's СтруктурнаяЕдиницаПродажи: the
   * profile's `department` read): the predefined ОсновноеПодразделение, else the only department. Read once.
   */
  salesUnit(): Promise<string | null> {
    this.cache.salesUnit ??= (async () => {
      const spec = this.profile.reads.department;
      if (!spec) return null;
      const rows = (await readAll(this.onec, spec)).filter((r) => r.DeletionMark !== true);
      const chosen = rows.find((r) => r.PredefinedDataName === 'ОсновноеПодразделение') ?? (rows.length === 1 ? rows[0] : undefined);
      if (!chosen) this.logger.warn({ departments: rows.map((r) => r.Description) }, 'no main department for orders (СтруктурнаяЕдиницаПродажи)');
      return chosen ? String(chosen.Ref_Key) : null;
    })();
    this.cache.salesUnit.catch(() => (this.cache.salesUnit = undefined));
    return this.cache.salesUnit;
  }

  /** The reason cancelled lines carry: onec.cancelReasonKey, else the base's only non-predefined reason, else none (logged). */
  cancelReason(): Promise<string | null> {
    this.cache.cancelReason ??= (async () => {
      const spec = this.profile.reads.cancelReason;
      if (!spec) return null;
      const rows = (await readAll(this.onec, spec)).filter((r) => r.DeletionMark !== true);
      const configured = this.config.onec.cancelReasonKey;
      // The predefined ОтклонениеПриОтгрузкеМерныхТоваров (every УТ 11.5 dump) is the system's own reason for weighed
      // goods, not a manager's: the default is the only reason people added.
      const own = rows.filter((r) => r.Predefined !== true);
      const chosen = configured ? rows.find((r) => r.Ref_Key === configured) : own.length === 1 ? own[0] : undefined;
      if (!chosen) this.logger.warn({ reasons: rows.map((r) => ({ id: r.Ref_Key, name: r.Description })) }, configured ? 'onec.cancelReasonKey names no reason of the base' : 'several reasons for cancelling orders (or none): set onec.cancelReasonKey');
      return chosen ? String(chosen.Ref_Key) : null;
    })();
    this.cache.cancelReason.catch(() => (this.cache.cancelReason = undefined));
    return this.cache.cancelReason;
  }

  /** The order's Catalog_ОбъектыРасчетов as 1C filled it on write (11.5), null where the base has none (11.4). */
  async settlementObjectOf(orderKey: string): Promise<string | null> {
    if (this.profile.features.settlement !== 'object') return null;
    const hit = this.settlementObjects.get(orderKey);
    if (hit) return hit;
    const [order] = (await this.find('order', { orderKey })).map((r) => this.profile.map.toOrder(r));
    const id = order?.settlementObjectId ?? null;
    if (id) this.settlementObjects.set(orderKey, id);
    return id;
  }

  /**
   * The organisation's bank account: the one whose number is the statement's own account (a payment is entered
   * against the account it arrived on, as УТ's КлиентБанк loader does: WRITE-RULES §4, КлиентБанкСервер 627-646),
   * else its first account.
   */
  async bankAccountKey(accountNumber?: string): Promise<string | null> {
    this.cache.bankAccounts ??= (async () => {
      const org = this.organisationKey();
      // The owner as the profile reads it: Owner_Key in УТ, the composite Owner + Owner_Type in УНФ and БП.
      return (await readAll(this.onec, this.spec('bankAccount'))).filter((r) => this.profile.map.toBankAccount(r).organisationId === org);
    })();
    this.cache.bankAccounts.catch(() => (this.cache.bankAccounts = undefined));
    const own = await this.cache.bankAccounts;
    const wanted = accountNumber?.trim();
    const hit = wanted ? own.find((r) => String(r.НомерСчета ?? '').trim() === wanted) : undefined;
    return hit ? String(hit.Ref_Key) : own.length ? String(own[0].Ref_Key) : null;
  }

  spec(concept: keyof Profile['reads']) {
    const s = this.profile.reads[concept];
    if (!s) throw new PermanentError(`profile ${this.profile.id} cannot read '${concept}' (onec.extension=${this.ext})`);
    return s;
  }

  find(concept: keyof Profile['reads'], params: Parameters<typeof readFew>[2]): Promise<Row[]> {
    return readFew(this.onec, this.spec(concept), params);
  }

  writeSet(name: string): string {
    const w = this.profile.writes[name];
    if (!w) throw new PermanentError(`profile ${this.profile.id} has no write '${name}' (onec.extension=${this.ext})`);
    return w.set;
  }
}

/**
 * 1C errors that a retry cannot fix become PermanentError (dead letter at once, shown by `regate outbox list`):
 * 400 (a body 1C refuses: a wrong field or value), 403 (no rights on the set), a set or field missing from the
 * publication. Everything else — unavailable, timeouts, 500 from a busy or locking 1C — is retried by the outbox.
 */
export function classify(e: unknown): unknown {
  if (e instanceof PermanentError) return e;
  if (e instanceof ODataBadRequest || e instanceof ODataRights || (e instanceof ODataNotFound && e.what === 'segment')) {
    return new PermanentError((e as ODataError).message, { cause: e });
  }
  if (e instanceof ODataBusinessError && isRefusal(e.detail)) return new PermanentError(`1С отказала: ${e.detail}`, { cause: e });
  return e;
}

/**
 * A 500 from 1C is a refusal that no retry will change when a document's handler said no (its «Ошибка при выполнении
 * обработчика - 'ПередЗаписью' | 'ОбработкаПроведения' …», the platform's «… не может быть проведен»): УТ's checks
 * read the document, not the moment (WRITE-RULES §1.4). Lock conflicts and waits for a lock are the moment — they
 * stay transient, as does 1C's bare «внутренняя ошибка OData сервиса», which says nothing about why.
 */
export function isRefusal(detail: string): boolean {
  if (/блокиров|deadlock|lock/i.test(detail)) return false;
  return /Ошибка при выполнении обработчика|не может быть проведен|Проведение невозможно|Заказ как счет/i.test(detail);
}

/** True for 1C's "duplicate key" (code 15): a record written by an earlier attempt whose answer was lost. */
export function isDuplicate(e: unknown): boolean {
  return e instanceof ODataError && e.code === '15';
}

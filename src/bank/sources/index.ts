import type { Config } from '../../config/index.js';
import type { BankStatementApi } from './api.js';
import { TochkaStatementApi } from './tochka.js';

export { runFolder, type FolderOptions, type FolderRunReport } from './folder.js';
export { lookbackRange, type BankStatementApi, type DateRange } from './api.js';
export { TochkaStatementApi, TochkaApiError, tochkaToStatement, tochkaKopecks, TOCHKA_DEFAULT_URL, type TochkaOptions } from './tochka.js';

/** config.bank.api → its adapter, or null for kind 'none'. Throws naming the missing key. */
export function apiFromConfig(api: Config['bank']['api'], deps: { fetch?: typeof fetch } = {}): BankStatementApi | null {
  switch (api.kind) {
    case 'none':
      return null;
    case 'tochka':
      if (!api.token) throw new Error('bank.api.token: нужен JWT-токен Точки (kind: tochka)');
      if (!api.accountId) throw new Error('bank.api.accountId: нужен счёт в виде "<20 цифр>/<БИК>" (kind: tochka)');
      return new TochkaStatementApi({ url: api.url, token: api.token, accountId: api.accountId, readyTimeoutMs: api.readyTimeoutMs, fetch: deps.fetch });
  }
}

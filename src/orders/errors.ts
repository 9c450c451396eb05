/**
 * Errors of the write path's domain (clients, orders, payments). The services throw these; the API maps them to
 * HTTP in one place (src/api/errors.ts `errorResponse`), so the same rule answers the same status everywhere.
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unprocessable' | 'unavailable';

export interface DomainField {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Machine-readable code answered as error.code (client_conflict, amount_mismatch, ...). */
    readonly code: string,
    message: string,
    readonly fields: DomainField[] = [],
    /** unavailable: when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(what: string, field: string, value: string) {
    return new DomainError('not_found', 'not_found', `${what} не найден: ${value}`, [{ field, message: `нет такого значения: ${value}` }]);
  }
  static conflict(message: string, fields: DomainField[] = []) {
    return new DomainError('conflict', 'conflict', message, fields);
  }
  static invalid(message: string, fields: DomainField[] = []) {
    return new DomainError('invalid', 'validation_failed', message, fields);
  }
  static unavailable(message: string, retryAfterSeconds: number) {
    return new DomainError('unavailable', 'unavailable', message, [], retryAfterSeconds);
  }
}

/** Another store client already owns this ИНН (locally or in 1C): sharing it would show and book on their account. */
export function clientConflict(clientId: string, inn: string, owner: string): DomainError {
  return new DomainError(
    'conflict',
    'client_conflict',
    `ИНН ${inn} уже принадлежит другому клиенту магазина (${owner}); клиент ${clientId} не связан с ним. ` +
      'Проверьте ИНН или используйте clientId того клиента',
    [{ field: 'inn', message: `занят клиентом ${owner}` }],
  );
}

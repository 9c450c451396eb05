/**
 * Errors of the write path's domain (clients, orders, payments). The services throw these; the API maps them to
 * HTTP in one place (src/api/errors.ts `errorResponse`), so the same rule answers the same status everywhere.
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unprocessable';

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
  ) {
    super(message);
    this.name = 'DomainError';
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

import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';

const UTF8 = /^"?utf-?8"?$/i;
const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Request bodies are UTF-8 JSON, checked before anything reads them (issue 13.5): a body declared
 * `charset=iso-8859-1` was decoded as UTF-8 anyway («Müller» became U+FFFD in 1C), and bytes that are not UTF-8 were
 * decoded with replacement characters. A declared charset other than UTF-8 is refused (415, saying what to send);
 * bytes that are not valid UTF-8 are a 400. Honouring other charsets would mean guessing what a sender meant by
 * «windows-1251» vs «koi8-r»; the store sends JSON, and JSON is UTF-8 (RFC 8259 §8.1).
 *
 * The body is read here once; Hono keeps it, and the validator's c.req.json() parses the same bytes. Mounted after
 * bodyLimit, so an oversized body is cut off there first.
 */
export function utf8Body(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const type = c.req.header('content-type') ?? '';
    const charset = /;\s*charset\s*=\s*("[^"]*"|[^;\s]*)/i.exec(type)?.[1];
    if (charset !== undefined && !UTF8.test(charset)) {
      throw new ApiError(
        415,
        'unsupported_charset',
        `Кодировка тела ${charset} не поддерживается: отправляйте JSON в UTF-8 (Content-Type: application/json; charset=utf-8) и перекодируйте тело`,
        [{ field: 'Content-Type', message: `charset=${charset}: нужен utf-8` }],
      );
    }
    if (!c.req.raw.body) return next();
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    try {
      strict.decode(bytes);
    } catch {
      let at = 0;
      for (let cut = bytes.length; cut > 0; cut = Math.floor(cut / 2)) {
        // the first bad byte: the longest valid prefix (binary search is not worth it for ≤ 256 KB)
        try {
          strict.decode(bytes.subarray(0, cut));
          at = cut;
          break;
        } catch {
          /* shorter */
        }
      }
      throw new ApiError(400, 'invalid_utf8', 'Тело запроса не в кодировке UTF-8: перекодируйте его в UTF-8', [
        { field: 'body', message: `не UTF-8 (ошибка не раньше байта ${at})` },
      ]);
    }
    return next();
  };
}

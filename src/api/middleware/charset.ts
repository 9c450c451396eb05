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
    // Read through c.req (never c.req.raw.body: on @hono/node-server that getter builds a web Request with a web
    // stream around the socket); no body reads as empty bytes. The decoded text is what c.req.json() parses next: kept
    // as Hono's cached text, else Hono made it again from the cached bytes through a web Response (undici), 4-5 % of the
    // API thread in the booking burst's profile (load 11, 2026-12-03).
    // A sized body was read off the socket already (api/server.ts readBodies: `incoming.rawBody`): decoded from there,
    // not from the copy arrayBuffer() makes of it (1 % of the API thread in the booking burst's profile, 2026-12-04).
    const raw = (c.env as { incoming?: { rawBody?: unknown } } | undefined)?.incoming?.rawBody;
    const bytes = raw instanceof Uint8Array ? raw : new Uint8Array(await c.req.arrayBuffer());
    try {
      const text = strict.decode(bytes);
      (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
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

/**
 * JSON answers say their charset (issue 15): Hono's c.json sends a bare `application/json`, and a PHP client
 * (mb_* functions, a `Content-Type`-driven decoder) or a browser tool then guesses. JSON is UTF-8 (RFC 8259 §8.1);
 * saying so costs nothing. Answers that already name a charset keep it.
 */
export function jsonCharset(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type');
    if (type && /^application\/(?:[\w.+-]+\+)?json\s*$/i.test(type)) {
      try {
        c.res.headers.set('Content-Type', `${type.trim()}; charset=utf-8`);
      } catch {
        // immutable headers (a Response passed through from fetch): left as they are
      }
    }
  };
}

const cp1251 = new TextDecoder('windows-1251');

/**
 * A query string whose percent-escapes are not UTF-8 (`city=%CA%E0%E7%E0%ED%FC`, «Казань» in windows-1251, as an
 * old PHP page or a 1C HTTP client sends it): Hono left the escapes undecoded and the search answered 404 «город
 * %CA%E0… не найден». This names the parameter, shows what the bytes look like in windows-1251, and says how to
 * encode. Raw non-ASCII bytes in the request line never get here: Node refuses them and server.ts answers
 * url_not_encoded.
 */
export function utf8Query(): MiddlewareHandler {
  return async (c, next) => {
    const url = c.req.url;
    const q = url.indexOf('?');
    if (q >= 0 && url.includes('%', q)) {
      for (const part of url.slice(q + 1).split('#')[0].split('&')) {
        const eq = part.indexOf('=');
        const name = eq < 0 ? part : part.slice(0, eq);
        for (const raw of eq < 0 ? [part] : [name, part.slice(eq + 1)]) {
          try {
            decodeURIComponent(raw.replace(/\+/g, ' '));
          } catch {
            throw queryNotUtf8(safeName(name), raw);
          }
        }
      }
    }
    return next();
  };
}

function safeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')) || 'query';
  } catch {
    return 'query';
  }
}

function queryNotUtf8(field: string, raw: string): ApiError {
  const escapes = raw.match(/(?:%[0-9a-fA-F]{2})+/g) ?? [];
  const bytes = escapes.flatMap((e) => e.slice(1).split('%').map((h) => parseInt(h, 16)));
  const asCp1251 = bytes.length ? cp1251.decode(new Uint8Array(bytes)) : '';
  const looksCyrillic = /^[А-Яа-яЁё\s]+$/.test(asCp1251);
  const malformed = /%(?![0-9a-fA-F]{2})/.test(raw);
  const message = malformed
    ? `Параметр ${field}: знак % без двух шестнадцатеричных цифр. Кодируйте параметры адреса в UTF-8 percent-encoding (RFC 3986): % → %25`
    : `Параметр ${field} закодирован не в UTF-8${looksCyrillic ? ` (байты похожи на windows-1251: «${asCp1251}»)` : ''}. ` +
      'Кодируйте параметры адреса в UTF-8 percent-encoding (RFC 3986), например Казань → %D0%9A%D0%B0%D0%B7%D0%B0%D0%BD%D1%8C ' +
      '(encodeURIComponent в JavaScript, rawurlencode в PHP для строки в UTF-8)';
  return new ApiError(400, 'query_not_utf8', message, [{ field, message: malformed ? 'неверная percent-последовательность' : 'не UTF-8' }]);
}

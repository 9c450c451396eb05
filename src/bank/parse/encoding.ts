import iconv from 'iconv-lite';
import { BankParseError } from './errors.js';
import type { StatementEncoding } from './types.js';

/**
 * Encoding detection, in the order that works on real files (FORMAT-NOTES.md): the `Кодировка=` header lies
 * (cp1251 files say DOS, UTF-8 files say Windows), so bytes win over the header.
 *   1. a BOM (UTF-8; UTF-16LE seen from Windows tools);
 *   2. strict UTF-8 — cp1251/cp866 Cyrillic is never valid UTF-8 in practice, so a clean decode means UTF-8
 *      (a pure-ASCII file decodes identically either way);
 *   3. the header: `Кодировка` spelt in cp866 bytes → cp866; anything else → cp1251 (see headerEncoding).
 * Decoding is done ONCE for the whole buffer. Node's built-in TextDecoder (full ICU) decodes windows-1251 and
 * ibm866 ~2.5× faster than iconv-lite once warm (100 MB: 102 ms vs 269 ms, measured on this machine), so it is
 * used when present; iconv-lite is the fallback for small-ICU builds.
 */
export interface Decoded {
  text: string;
  encoding: StatementEncoding;
}

const KEY_1251 = iconv.encode('Кодировка', 'cp1251');
const KEY_866 = iconv.encode('Кодировка', 'cp866');
/** The header is a few hundred bytes; 64 KiB is generous even with long sender names. */
const HEADER_WINDOW = 64 * 1024;

function makeDecoder(label: string, iconvName: string): (b: Uint8Array) => string {
  try {
    const td = new TextDecoder(label);
    return (b) => td.decode(b);
  } catch {
    return (b) => iconv.decode(Buffer.from(b.buffer, b.byteOffset, b.byteLength), iconvName);
  }
}
const decode1251 = makeDecoder('windows-1251', 'cp1251');
const decode866 = makeDecoder('ibm866', 'cp866');
/** A single-byte decoder: every byte is one character, so pieces decode on their own (stream.ts). */
export function singleByteDecoder(enc: 'cp1251' | 'cp866'): (b: Uint8Array) => string {
  return enc === 'cp866' ? decode866 : decode1251;
}
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16 = new TextDecoder('utf-16le', { ignoreBOM: true });
const utf16Strict = new TextDecoder('utf-16le', { ignoreBOM: true, fatal: true });
/** A real U+FFFD in the text is fine; only a decoding failure is not. */
function utf16Fatal(b: Uint8Array): boolean {
  try {
    utf16Strict.decode(b);
    return true;
  } catch {
    return false;
  }
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, end: number): number {
  const first = needle[0];
  const last = Math.min(end, hay.length) - needle.length;
  outer: for (let i = hay.indexOf(first); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * The single-byte encoding the header points at (only called when the bytes are not UTF-8). The key itself is
 * evidence: `Кодировка` spelt in cp866 bytes means cp866 whatever the value says; spelt in cp1251 bytes it means
 * cp1251 even when the value says DOS (a header that lies, as they do). Only when the key cannot be found in
 * either spelling does the value decide: DOS → cp866, anything else (Windows, windows-1251, "Wirdows") → cp1251.
 */
export function headerEncoding(bytes: Uint8Array): 'cp1251' | 'cp866' {
  if (indexOfBytes(bytes, KEY_866, HEADER_WINDOW) !== -1) return 'cp866';
  if (indexOfBytes(bytes, KEY_1251, HEADER_WINDOW) !== -1) return 'cp1251';
  // Key not found (a case variant such as КОДИРОВКА): the value is ASCII, so look for a line ending in "=DOS".
  const end = Math.min(bytes.length, HEADER_WINDOW);
  for (let i = bytes.indexOf(0x3d); i !== -1 && i + 3 < end; i = bytes.indexOf(0x3d, i + 1)) {
    if ((bytes[i + 1] | 0x20) === 0x64 && (bytes[i + 2] | 0x20) === 0x6f && (bytes[i + 3] | 0x20) === 0x73) {
      const next = bytes[i + 4];
      if (next === undefined || next === 0x0d || next === 0x0a || next === 0x20 || next === 0x09) return 'cp866';
    }
  }
  return 'cp1251';
}

/**
 * Where strict UTF-8 decoding fails: the offset of the first invalid sequence, and how many valid multi-byte
 * sequences came before it. Only called on failure (a JS loop over bytes is slow; TextDecoder is not).
 */
export function utf8Failure(b: Uint8Array, from = 0): { offset: number; multibyte: number } {
  let multibyte = 0;
  let i = from;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= b.length) return { offset: i, multibyte };
    for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return { offset: i, multibyte };
    multibyte++;
    i += n + 1;
  }
  // Structurally valid but refused by TextDecoder (an overlong form or a surrogate): blame the end of the file.
  return { offset: b.length, multibyte };
}

/** 1-based line of a byte offset (after a BOM of `skip` bytes). */
function lineAt(b: Uint8Array, offset: number, skip: number): number {
  let line = 1;
  for (let i = b.indexOf(10, skip); i !== -1 && i < offset; i = b.indexOf(10, i + 1)) line++;
  return line;
}

/**
 * A UTF-8 file with a damaged byte must not be decoded as cp1251 wholesale (every key would turn to mojibake
 * and the error would point somewhere unhelpful). 8+ valid multi-byte sequences before the failure mean the
 * file is UTF-8: cp1251 Cyrillic fails on its first letter pair, long before that.
 */
const UTF8_EVIDENCE = 8;

export function decodeStatement(bytes: Uint8Array): Decoded {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    try {
      return { text: utf8Strict.decode(bytes.subarray(3)), encoding: 'utf-8' };
    } catch {
      const at = utf8Failure(bytes, 3).offset;
      throw new BankParseError(lineAt(bytes, at, 3), 'BAD_ENCODING', `недопустимая последовательность UTF-8 на байте ${at - 3} в файле с меткой UTF-8 (BOM)`);
    }
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    const text = utf16.decode(bytes.subarray(2));
    const bad = text.indexOf('\ufffd');
    if (bad !== -1 && (bytes.length % 2 === 1 || !utf16Fatal(bytes.subarray(2)))) {
      let line = 1;
      for (let i = text.indexOf('\n'); i !== -1 && i < bad; i = text.indexOf('\n', i + 1)) line++;
      throw new BankParseError(line, 'BAD_ENCODING', 'недопустимый UTF-16 (одиночный суррогат или нечётное число байт) в файле с меткой UTF-16LE');
    }
    return { text, encoding: 'utf-16le' };
  }
  try {
    return { text: utf8Strict.decode(bytes), encoding: 'utf-8' };
  } catch {
    // not UTF-8: fall through to the header, unless it is UTF-8 with a damaged byte
    const f = utf8Failure(bytes);
    if (f.multibyte >= UTF8_EVIDENCE) {
      throw new BankParseError(lineAt(bytes, f.offset, 0), 'BAD_ENCODING', `недопустимая последовательность UTF-8 на байте ${f.offset} файла в UTF-8 (файл повреждён?)`);
    }
  }
  const enc = headerEncoding(bytes);
  return { text: enc === 'cp866' ? decode866(bytes) : decode1251(bytes), encoding: enc };
}

/**
 * JSON.stringify(value, null, indent) written piece by piece: the same bytes, but never one string for the whole
 * value. `regate bank parse` printed a statement as one pretty-printed string, and V8 cannot make a string longer
 * than 2^29 − 24 characters: a 300 MB statement failed with "Invalid string length" after parsing fine (issue 19.4).
 * Arrays and plain objects are walked to `depth` levels (the statement, its documents array); everything below is
 * one JSON.stringify per element, re-indented (JSON text has no raw newline inside a string, so prefixing every
 * newline with the nesting indent gives exactly what a single JSON.stringify would have written). An async
 * iterable is written as an array (statementDocuments: the documents are read while they are written).
 */
export type Write = (chunk: string) => void | Promise<void>;

export async function writeJson(write: Write, value: unknown, indent = 0, depth = 2): Promise<void> {
  await walk(write, value, indent, depth, '');
}

async function walk(write: Write, value: unknown, indent: number, depth: number, pad: string): Promise<void> {
  if (value !== null && typeof value === 'object' && Symbol.asyncIterator in value) {
    // An async iterable is written as the array of what it yields (the documents of a streamed statement, which
    // are never all in memory). JSON.stringify has no such case; this is the one extension.
    const inner = indent ? pad + ' '.repeat(indent) : '';
    const nl = indent ? '\n' : '';
    let first = true;
    for await (const v of value as AsyncIterable<unknown>) {
      await write((first ? '[' : ',') + nl + inner);
      first = false;
      await walk(write, v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v, indent, depth - 1, inner);
    }
    await write(first ? '[]' : nl + pad + ']');
    return;
  }
  const plain = value !== null && typeof value === 'object' && !('toJSON' in (value as object)) && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);
  if (depth <= 0 || !plain) {
    const text = JSON.stringify(value, null, indent || undefined) ?? 'null';
    await write(indent && pad ? text.replaceAll('\n', '\n' + pad) : text);
    return;
  }
  const inner = indent ? pad + ' '.repeat(indent) : '';
  const nl = indent ? '\n' : '';
  if (Array.isArray(value)) {
    if (value.length === 0) return void (await write('[]'));
    await write('[' + nl + inner);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) await write(',' + nl + inner);
      // JSON.stringify writes undefined, functions and symbols in an array as null.
      const v = value[i];
      await walk(write, v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v, indent, depth - 1, inner);
    }
    await write(nl + pad + ']');
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) return void (await write('{}'));
  await write('{' + nl + inner);
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i];
    if (i > 0) await write(',' + nl + inner);
    await write(JSON.stringify(k) + (indent ? ': ' : ':'));
    await walk(write, v, indent, depth - 1, inner);
  }
  await write(nl + pad + '}');
}

/** A Write onto a Node stream that waits for 'drain' when the stream's buffer is full (a pipe to a slow reader). */
export function streamWriter(stream: NodeJS.WritableStream): { write: Write; flush(): Promise<void> } {
  let buf = '';
  const out = async (s: string) => {
    if (!stream.write(s)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  };
  return {
    // Pieces are batched to ~64 KB: one stream.write per small piece cost more than the stringifying.
    write: (chunk) => {
      buf += chunk;
      if (buf.length >= 65_536) {
        const s = buf;
        buf = '';
        return out(s);
      }
    },
    flush: async () => {
      if (buf) await out(buf);
      buf = '';
    },
  };
}

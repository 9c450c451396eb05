import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

export interface Prompter {
  ask(question: string, def?: string): Promise<string>;
  /** Typed characters are not echoed. */
  secret(question: string, def?: string): Promise<string>;
  close(): void;
}

/**
 * node:readline prompts with defaults in brackets; Enter accepts the default. readline has no password mode, so its
 * output goes through a gate that swallows the echo while a secret is typed (the prompt itself is written before
 * the gate closes).
 */
export function createPrompter(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Prompter {
  let muted = false;
  const gate = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) output.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input, output: gate, terminal: Boolean((input as { isTTY?: boolean }).isTTY) });
  const label = (q: string, def?: string) => (def ? `${q} [${def}]: ` : `${q}: `);
  return {
    async ask(question, def) {
      const a = (await rl.question(label(question, def))).trim();
      return a || def || '';
    },
    async secret(question, def) {
      const q = rl.question(label(question));
      muted = true;
      try {
        const a = await q;
        return a || def || '';
      } finally {
        muted = false;
        output.write('\n');
      }
    },
    close: () => rl.close(),
  };
}

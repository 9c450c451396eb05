import { createInterface, type Interface } from 'node:readline/promises';
import type { Writable } from 'node:stream';

export interface Prompter {
  ask(question: string, def?: string): Promise<string>;
  /** Typed characters are not echoed (an asterisk per character on a terminal). */
  secret(question: string, def?: string): Promise<string>;
  close(): void;
}

/** node:readline prompts with defaults in brackets; Enter accepts the default. */
export function createPrompter(input: NodeJS.ReadableStream = process.stdin, output: Writable = process.stdout): Prompter {
  let muted = false;
  const rl: Interface = createInterface({ input, output, terminal: Boolean((input as { isTTY?: boolean }).isTTY) });
  // readline has no password mode: swap its echo for asterisks while a secret is typed.
  const r = rl as unknown as { _writeToOutput?: (s: string) => void };
  const original = r._writeToOutput?.bind(rl);
  if (original)
    r._writeToOutput = (s: string) => {
      if (muted && !s.includes('\n') && !s.startsWith('\u001b')) output.write('*'.repeat([...s].length));
      else original(s);
    };
  const label = (q: string, def?: string) => (def ? `${q} [${def}]: ` : `${q}: `);
  return {
    async ask(question, def) {
      const a = (await rl.question(label(question, def))).trim();
      return a || def || '';
    },
    async secret(question, def) {
      const q = rl.question(label(question, def ? 'сгенерировать' : undefined));
      muted = true;
      try {
        const a = await q;
        return a || def || '';
      } finally {
        muted = false;
      }
    },
    close: () => rl.close(),
  };
}

import type { Command } from 'commander';

export function register(program: Command) {
  const bank = program.command('bank').description('bank statements (1CClientBankExchange)');
  bank
    .command('parse')
    .argument('<file>', 'a 1CClientBankExchange statement (kl_to_1c.txt), any encoding; - reads stdin')
    .description('print what the statement holds as JSON (header, account balances, documents with direction; amounts in kopecks). Imports nothing.')
    .option('--compact', 'one-line JSON')
    .action(async (file: string, opts: { compact?: boolean }) => {
      const { readFileSync } = await import('node:fs');
      const { parseStatement, BankParseError } = await import('../../bank/parse/index.js');
      const bytes = readFileSync(file === '-' ? 0 : file);
      try {
        const st = parseStatement(bytes);
        const incoming = st.documents.filter((d) => d.direction === 'incoming');
        const summary = {
          documents: st.documents.length,
          incoming: incoming.length,
          incomingKopecks: incoming.reduce((s, d) => s + d.amountKopecks, 0),
          outgoing: st.documents.filter((d) => d.direction === 'outgoing').length,
          internal: st.documents.filter((d) => d.direction === 'internal').length,
          unknown: st.documents.filter((d) => d.direction === 'unknown').length,
        };
        console.log(JSON.stringify({ file, summary, ...st }, null, opts.compact ? undefined : 2));
      } catch (e) {
        if (e instanceof BankParseError) {
          console.error(`${file}:${e.line}: ${e.reason} [${e.code}]`);
          process.exit(2);
        }
        throw e;
      }
    });
}

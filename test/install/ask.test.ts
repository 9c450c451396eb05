import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { askOptions } from '../../src/install/ask.js';

/** Answers each prompt as it appears (readline drops lines typed before a question is asked). */
function scripted(answers: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  const prompts: string[] = [];
  let buffer = '';
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    if (/: $/.test(buffer)) {
      prompts.push(buffer.trim());
      buffer = '';
      setImmediate(() => input.write(`${answers.shift() ?? ''}\n`));
    }
  });
  return { input, output, prompts };
}

describe('regate install (interactive)', () => {
  it('shows defaults, Enter keeps them, typed answers win, flags are not asked, empty passwords are generated', async () => {
    // target, baseName, ibServer, publication, platformPath, onecTarget, odataUser, odataPassword, serverName, cert,
    // key, regatePort, apiUser, apiPassword, out (os comes as a flag) — a few typed, the rest default.
    const io = scripted(['', 'trade', '', '', '', '11.4', '', '', 'gw.example.ru', '', '', '9099', '', '', '/tmp/regate-kit-ask']);
    const logs: string[] = [];
    const o = await askOptions({ os: 'linux' }, { input: io.input, output: io.output, log: (l) => logs.push(l) });
    expect(io.prompts.some((p) => p.startsWith('ОС сервера'))).toBe(false); // given as a flag
    expect(io.prompts[0]).toBe('Веб-сервер (apache / iis / both) [apache]:');
    expect(io.prompts).toContain('Имя публикации (латиницей) [trade]:'); // default follows the answer before it
    expect(o.target).toBe('apache');
    expect(o.onecTarget).toBe('11.4');
    expect(io.prompts.some((p) => p.startsWith('Релиз УТ базы') && p.endsWith('[11.5.20]:'))).toBe(true);
    expect(o.baseName).toBe('trade');
    expect(o.publication).toBe('trade');
    expect(o.onecUrl).toBe('http://127.0.0.1/trade/odata/standard.odata');
    expect(o.serverName).toBe('gw.example.ru');
    expect(o.regatePort).toBe(9099);
    expect(o.out).toBe('/tmp/regate-kit-ask');
    expect(o.apiPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(o.odataPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(o.apiPassword).not.toBe('gen');
    expect(logs.join('\n')).toContain(o.apiPassword);
    expect(io.prompts).toContain('Его пароль (Enter — сгенерировать):');
  });
});

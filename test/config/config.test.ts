import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, maskSecrets, envKeys, ConfigError } from '../../src/config/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'regate-config-'));

describe('config', () => {
  it('an empty configuration resolves to the demo defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.onec.sessions).toBe(4);
    expect(c.server.tls.minVersion).toBe('TLSv1.2');
    expect(c.catalog.defaults.minQuantity).toBe(1);
  });

  it('reads YAML and JSON files and lets REGATE_* variables override them', () => {
    const yml = join(tmp, 'c.yaml');
    writeFileSync(yml, 'onec:\n  url: https://1c.local/ut/odata/standard.odata\n  sessions: 6\n');
    const c = loadConfig({ file: yml, env: { REGATE_ONEC_SESSIONS: '8', REGATE_SERVER_ALLOW_PLAIN_HTTP: 'false' } });
    expect(c.onec.url).toBe('https://1c.local/ut/odata/standard.odata');
    expect(c.onec.sessions).toBe(8);
    expect(c.server.allowPlainHttp).toBe(false);
    const json = join(tmp, 'c.json');
    writeFileSync(json, JSON.stringify({ outbox: { maxAttempts: 3 } }));
    expect(loadConfig({ file: json, env: {} }).outbox.maxAttempts).toBe(3);
  });

  it('derives environment names from the schema', () => {
    const keys = envKeys();
    expect(keys.get('REGATE_ONEC_MAX_URL_LENGTH')).toEqual(['onec', 'maxUrlLength']);
    expect(keys.get('REGATE_CATALOG_DEFAULTS_MIN_QUANTITY')).toEqual(['catalog', 'defaults', 'minQuantity']);
  });

  it('names every invalid key', () => {
    const f = join(tmp, 'bad.yaml');
    writeFileSync(f, 'onec:\n  sessions: 0\n  bogus: 1\nserver:\n  port: 99999\n');
    try {
      loadConfig({ file: f, env: {} });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const keys = (e as ConfigError).issues.map((i) => i.key).sort();
      expect(keys).toEqual(['onec', 'onec.sessions', 'server.port']);
    }
  });

  it('masks secrets but keeps empty ones visible', () => {
    const c = loadConfig({ env: { REGATE_ONEC_PASSWORD: 'пароль', REGATE_WEBHOOKS_SECRET: 'x' } });
    const m = maskSecrets(c);
    expect(m.onec.password).toBe('***');
    expect(m.webhooks.secret).toBe('***');
    expect(JSON.stringify(m)).not.toContain('пароль');
    expect(maskSecrets(loadConfig({ env: {} })).onec.password).toBe('');
  });
});

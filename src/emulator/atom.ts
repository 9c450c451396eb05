/**
 * Atom XML — what 1C answers when the client sends neither $format=json nor Accept: application/json [LIVE].
 * Minimal but valid: a feed of entries whose m:properties carry the same values as the JSON form.
 */
import { escapeXml } from './errors.js';
import { NS, type Shape } from './model.js';
import type { Row } from './store.js';

const XMLNS =
  'xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" ' +
  'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:georss="http://www.georss.org/georss" ' +
  'xmlns:gml="http://www.opengis.net/gml"';

function propsXml(shape: Shape | undefined, row: Row, indent: string): string {
  let x = '';
  for (const [name, v] of Object.entries(row)) {
    if (name.startsWith('odata.')) continue;
    const prop = shape?.propByName.get(name);
    const coll = shape?.collections.get(name);
    if (Array.isArray(v)) {
      x += `${indent}<d:${name} m:type="Collection(${NS}.${escapeXml(coll?.name ?? name)}_RowType)">`;
      for (const el of v) x += `<d:element>${propsXml(coll, el as Row, '')}</d:element>`;
      x += `</d:${name}>\n`;
    } else if (v !== null && typeof v === 'object') {
      x += `${indent}<d:${name}>${propsXml(undefined, v as Row, '')}</d:${name}>\n`;
    } else if (v === null || v === undefined) {
      x += `${indent}<d:${name} m:null="true"/>\n`;
    } else {
      const type = prop && prop.type !== 'Edm.String' ? ` m:type="${prop.type}"` : '';
      x += `${indent}<d:${name}${type}>${escapeXml(String(v))}</d:${name}>\n`;
    }
  }
  return x;
}

function entryXml(base: string, shape: Shape, row: Row, id: string): string {
  const now = new Date().toISOString();
  return (
    `<entry>\n<id>${escapeXml(id)}</id>\n<category term="${NS}.${escapeXml(shape.name)}" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/>\n` +
    `<title type="text"/>\n<updated>${now}</updated>\n<author/>\n<content type="application/xml">\n<m:properties>\n` +
    propsXml(shape, row, '') +
    `</m:properties>\n</content>\n</entry>\n`
  );
}

export function atomFeed(base: string, shape: Shape, rows: Row[], idOf: (r: Row) => string, count?: number): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<feed xml:base="${escapeXml(base)}/" ${XMLNS}>\n` +
    `<id>${escapeXml(`${base}/${shape.name}`)}</id>\n<title type="text">${escapeXml(shape.name)}</title>\n<updated>${new Date().toISOString()}</updated>\n` +
    (count !== undefined ? `<m:count>${count}</m:count>\n` : '') +
    rows.map((r) => entryXml(base, shape, r, idOf(r))).join('') +
    `</feed>\n`
  );
}

export function atomEntry(base: string, shape: Shape, row: Row, id: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n` + entryXml(base, shape, row, id).replace('<entry>', `<entry xml:base="${escapeXml(base)}/" ${XMLNS}>`);
}

export function serviceDocument(base: string, sets: string[], json: boolean): string {
  if (json) return JSON.stringify({ 'odata.metadata': `${base}/$metadata`, value: sets.map((s) => ({ name: s, url: s })) });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<service xml:base="${escapeXml(base)}/" xmlns="http://www.w3.org/2007/app" xmlns:atom="http://www.w3.org/2005/Atom">\n` +
    `<workspace>\n<atom:title>Default</atom:title>\n` +
    sets.map((s) => `<collection href="${escapeXml(s)}"><atom:title>${escapeXml(s)}</atom:title></collection>\n`).join('') +
    `</workspace>\n</service>\n`
  );
}

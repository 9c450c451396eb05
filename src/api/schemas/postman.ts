/**
 * A Postman collection (v2.1) made from the OpenAPI document (issue 15): one folder per tag, one request per
 * operation with the document's example values, Basic auth from collection variables ({{baseUrl}}, {{user}},
 * {{password}}). Made from the document, not kept by hand, so it cannot drift; `regate docs export` writes it
 * beside openapi.json. Postman's own importer would do the same at the integrator's desk, but a file that is
 * already there is one step fewer, and this one's examples are the checked ones (test/api-contract).
 */
type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function deref(doc: Json, o: Json | undefined): Json | undefined {
  if (!o?.$ref) return o;
  return o.$ref
    .slice(2)
    .split('/')
    .reduce((n: Json, k: string) => n?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

/** The example of a parameter: its own, its schema's, or its schema's default. */
function exampleOf(doc: Json, p: Json): unknown {
  const s = deref(doc, p.schema) ?? {};
  return p.example ?? s.example ?? s.default ?? s.examples?.[0];
}

export function postmanCollection(doc: Json, opts: { baseUrl: string; user?: string; password?: string }): Json {
  const folders = new Map<string, Json[]>();
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = (op.parameters ?? []).map((p: Json) => deref(doc, p)!);
      const query = params
        .filter((p: Json) => p.in === 'query')
        .map((p: Json) => {
          const ex = exampleOf(doc, p);
          // optional parameters come disabled: ticking them in Postman sends the example
          return { key: p.name, value: ex === undefined ? '' : String(ex), description: p.description ?? '', disabled: !p.required };
        });
      const variable = params.filter((p: Json) => p.in === 'path').map((p: Json) => ({ key: p.name, value: String(exampleOf(doc, p) ?? ''), description: p.description ?? '' }));
      const header = params
        .filter((p: Json) => p.in === 'header')
        .map((p: Json) => ({ key: p.name, value: String(exampleOf(doc, p) ?? ''), description: p.description ?? '', disabled: !p.required }));
      const media = op.requestBody?.content?.['application/json'];
      const bodyExample = media ? (media.example ?? deref(doc, media.schema)?.example) : undefined;
      if (media) header.push({ key: 'Content-Type', value: 'application/json; charset=utf-8', description: '', disabled: false });
      const segments = path.split('/').filter(Boolean).map((s) => s.replace(/^\{(.+)\}$/, ':$1'));
      const enabled = query.filter((q: Json) => !q.disabled);
      const request: Json = {
        method: method.toUpperCase(),
        header,
        url: {
          raw: `{{baseUrl}}/${segments.join('/')}${enabled.length ? `?${enabled.map((q: Json) => `${q.key}=${encodeURIComponent(q.value)}`).join('&')}` : ''}`,
          host: ['{{baseUrl}}'],
          path: segments,
          ...(query.length ? { query } : {}),
          ...(variable.length ? { variable } : {}),
        },
        description: [op.summary, op.description].filter(Boolean).join('\n\n'),
      };
      if (bodyExample !== undefined) request.body = { mode: 'raw', raw: JSON.stringify(bodyExample, null, 2), options: { raw: { language: 'json' } } };
      // /healthz and /readyz need no credentials (security: [])
      if (Array.isArray(op.security) && op.security.length === 0) request.auth = { type: 'noauth' };
      const tag = op.tags?.[0] ?? 'API';
      folders.set(tag, [...(folders.get(tag) ?? []), { name: `${op.summary ?? op.operationId}`, request, response: [] }]);
    }
  }
  const order = (doc.tags ?? []).map((t: Json) => t.name);
  const tags = [...folders.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  return {
    info: {
      name: `${doc.info.title} ${doc.info.version}`,
      description: doc.info.description,
      version: doc.info.version,
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    auth: {
      type: 'basic',
      basic: [
        { key: 'username', value: '{{user}}', type: 'string' },
        { key: 'password', value: '{{password}}', type: 'string' },
      ],
    },
    variable: [
      { key: 'baseUrl', value: opts.baseUrl.replace(/\/+$/, ''), type: 'string' },
      { key: 'user', value: opts.user ?? '', type: 'string' },
      { key: 'password', value: opts.password ?? '', type: 'string' },
    ],
    item: tags.map((tag) => ({ name: tag, description: (doc.tags ?? []).find((t: Json) => t.name === tag)?.description ?? '', item: folders.get(tag) })),
  };
}

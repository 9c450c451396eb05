<?php

declare(strict_types=1);

namespace ReGate\Client;

/**
 * A thin client of the ReGate REST API (the OpenAPI document: GET /openapi.json): one method per operation, arrays
 * in and out as the document describes them, ApiException for every refusal. Only ext-curl and ext-json.
 *
 *     $api = new Client('https://regate.example.ru', 'магазин', 'пароль');
 *     $page = $api->assortment(['store' => $storeId, 'limit' => 100]);
 *     $same = $api->assortment(['store' => $storeId, 'limit' => 100], $page->etag()); // ->notModified()
 */
final class Client
{
    public const VERSION = '0.1.0';

    private string $base;
    /** @var array<int, mixed> */
    private array $curlOptions;

    /** @param array<int, mixed> $curlOptions extra CURLOPT_* (a CA bundle, a proxy) */
    public function __construct(string $baseUrl, private string $user, private string $password, array $curlOptions = [], private int $timeoutSeconds = 30)
    {
        $this->base = rtrim($baseUrl, '/');
        $this->curlOptions = $curlOptions;
    }

    // ---- catalogue --------------------------------------------------------------------------------------------

    /** @return array<string, mixed> */
    public function state(): array
    {
        return $this->get('/api/v1/state')->body;
    }

    /** @return array{cities: list<array{name: string, stores: int}>} */
    public function cities(): array
    {
        return $this->get('/api/v1/city')->body;
    }

    /** @return array{city: string, stores: list<array{id: string, name: string, address: string}>} */
    public function stores(string $city): array
    {
        return $this->get('/api/v1/citystore', ['city' => $city])->body;
    }

    /** @return array<string, mixed> */
    public function storeTable(string $store): array
    {
        return $this->get('/api/v1/storetable', ['store' => $store])->body;
    }

    /**
     * One page of a store's goods: store, group, q, changedSince, limit, after. With the ETag of the previous answer
     * an unchanged mirror answers 304 (->notModified(), no body). The next page: ->body['next'] (follow()).
     *
     * @param array<string, string|int> $query
     */
    public function assortment(array $query, ?string $etag = null): Response
    {
        return $this->request('GET', '/api/v1/assortment', $query, null, $etag !== null ? ['If-None-Match' => $etag] : []);
    }

    /**
     * Every item of the query, page after page by `next`.
     *
     * @param array<string, string|int> $query
     * @return \Generator<int, array<string, mixed>>
     */
    public function assortmentItems(array $query): \Generator
    {
        $page = $this->get('/api/v1/assortment', $query)->body;
        while (true) {
            yield from $page['items'];
            if (empty($page['next'])) {
                return;
            }
            $page = $this->follow($page['next'])->body;
        }
    }

    /** The next page of a list answer: its `next` (a path relative to the server). */
    public function follow(string $next): Response
    {
        return $this->request('GET', $next);
    }

    /** The picture's bytes (image/jpeg, image/png …). */
    public function picture(string $id): string
    {
        return $this->request('GET', '/api/v1/picture/' . rawurlencode($id))->raw;
    }

    // ---- clients and orders -----------------------------------------------------------------------------------

    /**
     * Finds the client by Richest.store's id (or a free INN) or creates it in 1C: status 200 found, 201 created,
     * 202 accepted (1C will create it).
     *
     * @param array<string, mixed> $client
     * @return array{status: int, body: array<string, mixed>}
     */
    public function client(array $client): array
    {
        $r = $this->request('POST', '/api/v1/client', [], $client);
        return ['status' => $r->status, 'body' => $r->body];
    }

    /** @param array<string, mixed> $changes @return array<string, mixed> */
    public function updateClient(array $changes): array
    {
        return $this->request('POST', '/api/v1/clientupd', [], $changes)->body;
    }

    /**
     * Creates the order: 201 created in 1C (body['number']), 202 accepted (the number comes later: bookingState()).
     * The same orderId with the same Idempotency-Key returns the same order — retry after a timeout safely.
     *
     * @param array<string, mixed> $booking
     * @return array{status: int, body: array<string, mixed>}
     */
    public function booking(array $booking, ?string $idempotencyKey = null): array
    {
        $r = $this->request('POST', '/api/v1/booking', [], $booking, $idempotencyKey !== null ? ['Idempotency-Key' => $idempotencyKey] : []);
        return ['status' => $r->status, 'body' => $r->body];
    }

    /** @param array<string, mixed> $payment @return array<string, mixed> */
    public function payCard(array $payment): array
    {
        return $this->request('POST', '/api/v1/paycard', [], $payment)->body;
    }

    /** @return array<string, mixed> */
    public function bookingState(string $orderId): array
    {
        return $this->get('/api/v1/bookingstate', ['orderId' => $orderId])->body;
    }

    /** @param array<string, mixed> $refund @return array<string, mixed> */
    public function refund(array $refund): array
    {
        return $this->request('POST', '/api/v1/refund', [], $refund)->body;
    }

    /**
     * Cancels an unpaid order (status 6; 1C closes it and releases the reserve); a paid one is a 409 refund_first.
     *
     * @return array<string, mixed>
     */
    public function cancel(string $orderId, ?string $reason = null): array
    {
        return $this->request('POST', '/api/v1/bookingcancel', [], array_filter(['orderId' => $orderId, 'reason' => $reason], static fn ($v) => $v !== null))->body;
    }

    /**
     * Events after $after (the id of the last one you processed), oldest first: what webhooks carry, to catch up.
     *
     * @return array{items: list<array<string, mixed>>, next: ?string}
     */
    public function events(?string $after = null, int $limit = 100): array
    {
        return $this->get('/api/v1/events', array_filter(['after' => $after, 'limit' => $limit], static fn ($v) => $v !== null))->body;
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    /** @param array<string, string|int> $query */
    private function get(string $path, array $query = []): Response
    {
        return $this->request('GET', $path, $query);
    }

    /**
     * @param array<string, string|int> $query
     * @param array<string, string> $headers
     */
    public function request(string $method, string $path, array $query = [], mixed $body = null, array $headers = []): Response
    {
        // RFC 3986 encoding of UTF-8 values (ReGate refuses windows-1251 escapes with a 400 saying so)
        $url = $this->base . $path . ($query ? (str_contains($path, '?') ? '&' : '?') . http_build_query($query, '', '&', PHP_QUERY_RFC3986) : '');
        $lines = ['Accept: application/json', 'User-Agent: regate-php/' . self::VERSION];
        foreach ($headers as $k => $v) {
            $lines[] = "$k: $v";
        }
        $payload = null;
        if ($body !== null) {
            $payload = json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
            $lines[] = 'Content-Type: application/json; charset=utf-8';
        }
        $received = [];
        $ch = curl_init($url);
        curl_setopt_array($ch, $this->curlOptions + [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HTTPAUTH => CURLAUTH_BASIC,
            CURLOPT_USERPWD => $this->user . ':' . $this->password,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_ENCODING => '', // Accept-Encoding: gzip — catalogue pages are kept compressed
            CURLOPT_TIMEOUT => $this->timeoutSeconds,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$received): int {
                $p = strpos($line, ':');
                if ($p !== false) {
                    $received[strtolower(trim(substr($line, 0, $p)))] = trim(substr($line, $p + 1));
                }
                return strlen($line);
            },
        ]);
        if ($payload !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, $payload);
        }
        $raw = curl_exec($ch);
        if ($raw === false) {
            $error = curl_error($ch);
            curl_close($ch);
            throw new \RuntimeException("ReGate $method $path: $error");
        }
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        $json = str_contains($received['content-type'] ?? '', 'json') && $raw !== '' ? json_decode($raw, true, 512, JSON_THROW_ON_ERROR) : null;
        if ($status >= 400) {
            $e = $json['error'] ?? [];
            throw new ApiException(
                $status,
                (string) ($e['code'] ?? 'http_error'),
                (string) ($e['message'] ?? "HTTP $status"),
                $e['fields'] ?? [],
                (string) ($e['requestId'] ?? ($received['x-request-id'] ?? '')),
                isset($received['retry-after']) ? (int) $received['retry-after'] : null,
            );
        }
        return new Response($status, $received, $json, (string) $raw);
    }
}

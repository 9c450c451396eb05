<?php

declare(strict_types=1);

namespace ReGate\Client;

/**
 * Checks a webhook from ReGate (Standard Webhooks): webhook-signature `v1,<base64 HMAC-SHA256 over
 * "<webhook-id>.<webhook-timestamp>.<raw body>">`, the key being the base64 after `whsec_`. Read the body with
 * file_get_contents('php://input') and pass it as it is — json_decode + json_encode changes the bytes.
 *
 *     $event = Webhook::verify($secret, getallheaders(), file_get_contents('php://input'));
 *     if (already_processed($event['id'])) { http_response_code(200); exit; }   // a repeat: same webhook-id
 */
final class Webhook
{
    /**
     * @param array<string, string|list<string>> $headers any case of names (getallheaders(), PSR-7 getHeaders())
     * @return array<string, mixed> the event (id, type, timestamp, data)
     * @throws WebhookException
     */
    public static function verify(string $secret, array $headers, string $body, int $toleranceSeconds = 300, ?int $now = null): array
    {
        $h = [];
        foreach ($headers as $k => $v) {
            $h[strtolower((string) $k)] = is_array($v) ? (string) reset($v) : (string) $v;
        }
        $id = $h['webhook-id'] ?? '';
        $timestamp = $h['webhook-timestamp'] ?? '';
        $signatures = $h['webhook-signature'] ?? '';
        if ($id === '' || $signatures === '' || !ctype_digit($timestamp)) {
            throw new WebhookException('нет заголовков webhook-id, webhook-timestamp или webhook-signature');
        }
        if (abs(($now ?? time()) - (int) $timestamp) > $toleranceSeconds) {
            throw new WebhookException('webhook-timestamp слишком старый или из будущего');
        }
        $expected = self::sign($secret, $id, (int) $timestamp, $body);
        foreach (explode(' ', $signatures) as $candidate) {
            if (hash_equals($expected, $candidate)) {
                return json_decode($body, true, 512, JSON_THROW_ON_ERROR);
            }
        }
        throw new WebhookException('подпись не совпадает');
    }

    /** The signature ReGate sends for these values. */
    public static function sign(string $secret, string $id, int $timestamp, string $body): string
    {
        $key = str_starts_with($secret, 'whsec_') ? base64_decode(substr($secret, 6), true) : $secret;
        if ($key === false) {
            throw new WebhookException('секрет whsec_ не в base64');
        }
        return 'v1,' . base64_encode(hash_hmac('sha256', "$id.$timestamp.$body", $key, true));
    }
}

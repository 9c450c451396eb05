<?php

/**
 * ReGate за пять минут: склады, страница товаров (и 304 по ETag), клиент и заказ с Idempotency-Key, проверка
 * подписи webhook. Против демо:
 *
 *     REGATE_WEBHOOKS_URL=http://127.0.0.1:8090/hook REGATE_WEBHOOKS_SECRET=whsec_c2VjcmV0LWtleS1vZi10aGUtZGVtby0zMi1ieXRlcyE= \
 *       node bin/regate.mjs demo
 *     REGATE_WEBHOOK_LISTEN=127.0.0.1:8090 REGATE_WEBHOOK_SECRET=whsec_c2VjcmV0LWtleS1vZi10aGUtZGVtby0zMi1ieXRlcyE= \
 *       php clients/php/examples/quickstart.php http://127.0.0.1:8080
 *
 * Без REGATE_WEBHOOK_LISTEN всё, кроме webhook, работает так же. Нужны ext-curl и ext-json; Composer не нужен
 * (ниже — загрузчик классов из src/, если нет vendor/autoload.php).
 */

declare(strict_types=1);

use ReGate\Client\ApiException;
use ReGate\Client\Client;
use ReGate\Client\Webhook;

$autoload = __DIR__ . '/../vendor/autoload.php';
if (is_file($autoload)) {
    require $autoload;
} else {
    spl_autoload_register(static function (string $class): void {
        $prefix = 'ReGate\\Client\\';
        if (str_starts_with($class, $prefix)) {
            require __DIR__ . '/../src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        }
    });
}

$base = $argv[1] ?? getenv('REGATE_URL') ?: 'http://127.0.0.1:8080';
$api = new Client($base, getenv('REGATE_USER') ?: 'demo', getenv('REGATE_PASSWORD') ?: 'demo');
$listen = getenv('REGATE_WEBHOOK_LISTEN') ?: null;
$secret = getenv('REGATE_WEBHOOK_SECRET') ?: null;

try {
    // 1. Склады по городам
    $stores = [];
    foreach ($api->cities()['cities'] as $city) {
        foreach ($api->stores($city['name'])['stores'] as $store) {
            $stores[] = $store;
            echo "Склад: {$store['name']} ({$city['name']}) {$store['id']}\n";
        }
    }

    // 2. Страница товаров склада с наибольшим ассортиментом, затем тот же запрос с ETag → 304
    $best = null;
    foreach ($stores as $store) {
        $total = $api->assortment(['store' => $store['id'], 'limit' => 1])->body['total'];
        if ($best === null || $total > $best[1]) {
            $best = [$store, $total];
        }
    }
    [$store] = $best;
    $page = $api->assortment(['store' => $store['id'], 'limit' => 5]);
    echo "Товары склада «{$store['name']}» (всего {$page->body['total']}):\n";
    foreach ($page->body['items'] as $item) {
        $stock = is_numeric($item['stock']) ? $item['stock'] . ' ' . $item['unit'] : $item['stock'];
        echo "  {$item['article']}  {$item['name']}  " . ($item['price'] ?? '—') . " руб., остаток {$stock}\n";
    }
    $again = $api->assortment(['store' => $store['id'], 'limit' => 5], $page->etag());
    echo 'Повтор с If-None-Match: ' . ($again->notModified() ? "304 Not Modified (ETag {$page->etag()})" : "{$again->status}") . "\n";

    // 3. Клиент и заказ: товар, который можно заказать поштучно
    $pick = null;
    foreach ($api->assortmentItems(['store' => $store['id'], 'limit' => 100]) as $item) {
        if (is_numeric($item['stock']) && $item['stock'] >= 1 && $item['minQuantity'] <= 1 && $item['multiplicity'] == 1 && $item['price'] !== null) {
            $pick = $item;
            break;
        }
    }
    if ($pick === null) {
        throw new RuntimeException('на складе нет товара, который можно заказать поштучно');
    }
    $server = null;
    if ($listen !== null) {
        // до заказа: уведомление о нём придёт сюда (webhooks.url демо указывает на этот адрес)
        $server = stream_socket_server("tcp://$listen", $errno, $errstr) ?: throw new RuntimeException("не слушается $listen: $errstr");
    }
    $suffix = date('YmdHis') . '-' . bin2hex(random_bytes(2));
    $client = $api->client(['clientId' => "RS-C-php-$suffix", 'name' => 'Иванов Иван (PHP)', 'phone' => '+7 900 000-00-00']);
    echo "Клиент RS-C-php-$suffix: {$client['body']['result']} (HTTP {$client['status']})\n";
    $orderId = "RS-O-php-$suffix";
    $booking = [
        'orderId' => $orderId,
        'clientId' => "RS-C-php-$suffix",
        'store' => $store['id'],
        'deliveryAddress' => 'Москва, ул. Тверская, д. 1',
        'items' => [['itemId' => $pick['id'], 'quantity' => 1]],
    ];
    $created = $api->booking($booking, "php-$suffix");
    $retry = $api->booking($booking, "php-$suffix"); // повтор после «таймаута»: тот же заказ, второго нет
    $number = $created['body']['number'] ?? $retry['body']['number'];
    for ($i = 0; $number === null && $i < 50; $i++) {
        usleep(200_000);
        $number = $api->bookingState($orderId)['number'];
    }
    echo "Заказ $orderId: номер в 1С " . ($number ?? 'ещё не присвоен') . ", сумма {$created['body']['amount']} руб. (HTTP {$created['status']}, повтор — HTTP {$retry['status']}, тот же заказ)\n";

    // 4. Webhook: принять POST от ReGate, проверить подпись по сырому телу
    if ($server !== null) {
        $deadline = time() + 30;
        $verified = false;
        while (!$verified && time() < $deadline) {
            $conn = @stream_socket_accept($server, max(1, $deadline - time()));
            if ($conn === false) {
                continue;
            }
            [$headers, $body] = read_http_request($conn);
            fwrite($conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            fclose($conn);
            $event = Webhook::verify((string) $secret, $headers, $body);
            if (($event['data']['orderId'] ?? null) === $orderId) {
                echo "webhook signature ok ({$event['type']}, {$event['id']})\n";
                $verified = true;
            }
        }
        if (!$verified) {
            throw new RuntimeException("webhook о заказе $orderId не пришёл за 30 с: проверьте webhooks.url демо ($listen)");
        }
    } else {
        echo "webhook: не проверялся — задайте REGATE_WEBHOOK_LISTEN (адрес из webhooks.url демо) и REGATE_WEBHOOK_SECRET\n";
    }
} catch (ApiException $e) {
    fwrite(STDERR, "ReGate ответил {$e->status} {$e->errorCode}: {$e->getMessage()} (requestId {$e->requestId})\n");
    foreach ($e->fields as $f) {
        fwrite(STDERR, "  {$f['field']}: {$f['message']}\n");
    }
    exit(1);
}

/**
 * Одного HTTP/1.1-запроса хватает для примера; в магазине webhook принимает веб-сервер, а тело берётся из
 * file_get_contents('php://input').
 *
 * @param resource $conn
 * @return array{0: array<string, string>, 1: string}
 */
function read_http_request($conn): array
{
    $head = '';
    while (!str_contains($head, "\r\n\r\n") && !feof($conn)) {
        $head .= fread($conn, 8192);
    }
    [$head, $body] = explode("\r\n\r\n", $head, 2) + [1 => ''];
    $headers = [];
    foreach (array_slice(explode("\r\n", $head), 1) as $line) {
        [$k, $v] = array_map('trim', explode(':', $line, 2)) + [1 => ''];
        $headers[strtolower($k)] = $v;
    }
    $length = (int) ($headers['content-length'] ?? 0);
    while (strlen($body) < $length && !feof($conn)) {
        $body .= fread($conn, $length - strlen($body));
    }
    return [$headers, $body];
}

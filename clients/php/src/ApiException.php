<?php

declare(strict_types=1);

namespace ReGate\Client;

/**
 * An answer of ReGate that is not a success, in its one error shape: code (machine-readable), message (Russian),
 * fields (which request fields are wrong), requestId (give it to ReGate's administrator), Retry-After for 429/503.
 */
final class ApiException extends \RuntimeException
{
    /** @param list<array{field: string, message: string}> $fields */
    public function __construct(
        public readonly int $status,
        public readonly string $errorCode,
        string $message,
        public readonly array $fields = [],
        public readonly string $requestId = '',
        public readonly ?int $retryAfter = null,
    ) {
        parent::__construct($message, $status);
    }
}

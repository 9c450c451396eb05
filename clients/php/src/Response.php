<?php

declare(strict_types=1);

namespace ReGate\Client;

/** One HTTP answer: status, headers (names in lower case), the decoded JSON body (null for 304 and non-JSON). */
final class Response
{
    /** @param array<string, string> $headers */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly mixed $body,
        public readonly string $raw,
    ) {
    }

    public function header(string $name): ?string
    {
        return $this->headers[strtolower($name)] ?? null;
    }

    /** A conditional catalogue read answered 304: the page you have is current. */
    public function notModified(): bool
    {
        return $this->status === 304;
    }

    public function etag(): ?string
    {
        return $this->header('etag');
    }
}

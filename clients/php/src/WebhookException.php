<?php

declare(strict_types=1);

namespace ReGate\Client;

/** A webhook whose signature or timestamp does not check out: answer it 400 and do not act on it. */
final class WebhookException extends \RuntimeException
{
}

<?php
// The kiln php test app: answers every GET with 200. kiln/greeting comes
// from the composer path repository in packages/; the run script serves
// public/ under tini, which stops PHP's server on SIGTERM (G05).
require __DIR__ . '/../vendor/autoload.php';

header('Content-Type: text/plain; charset=utf-8');
echo \Kiln\Greeting\Greeting::greeting('php');

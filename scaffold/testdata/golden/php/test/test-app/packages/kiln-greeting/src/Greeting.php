<?php

namespace Kiln\Greeting;

/** kiln/greeting: the dependency of the kiln php test app. */
final class Greeting
{
    public static function greeting(string $name): string
    {
        return "Hello from the kiln $name test app, greeted by kiln/greeting 1.0.0.\n";
    }
}

module example.com/kiln-test-app

go 1.19

require example.com/kiln-greeting v1.0.0

// The dependency is a module in greeting/, so the test app builds offline.
replace example.com/kiln-greeting => ./greeting

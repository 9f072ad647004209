// Package greeting is the dependency of the kiln go test app.
package greeting

import "fmt"

// Greeting is the test app's answer.
func Greeting(name string) string {
	return fmt.Sprintf("Hello from the kiln %s test app, greeted by kiln-greeting 1.0.0.\n", name)
}

// Package readme holds the test that keeps README.md true: it runs every
// shell example of the README against a loopback emulator and fails when a
// command fails or answers an HTTP error. The package has no other code.
package readme

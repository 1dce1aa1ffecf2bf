//go:build tools

// Package tools pins the Temporal CLI as a dependency of this module so that
// `go mod tidy` keeps the requirement and `go build github.com/temporalio/cli/cmd/temporal`
// resolves from here.
package tools

import _ "github.com/temporalio/cli/cmd/temporal"

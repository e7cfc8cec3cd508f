package cli

import (
	"context"
	"fmt"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
)

// openStore opens the store named by spec. "memory:" keeps logins in the process only.
func openStore(_ context.Context, spec string) (machine.Store, func(), error) {
	switch spec {
	case "memory:", "memory":
		return memory.New(), func() {}, nil
	}
	return nil, nil, fmt.Errorf("store %q: want memory:", spec)
}

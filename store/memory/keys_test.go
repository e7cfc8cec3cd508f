package memory_test

import (
	"testing"

	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/store/storetest"
	"github.com/tgauth/tgauth/tgapi"
)

func TestKeyPool(t *testing.T) {
	storetest.KeyPool(t, func(*testing.T) tgapi.KeyPool { return memory.New() })
}

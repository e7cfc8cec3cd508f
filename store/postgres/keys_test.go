package postgres_test

import (
	"testing"

	"github.com/tgauth/tgauth/store/storetest"
	"github.com/tgauth/tgauth/tgapi"
)

func TestKeyPool(t *testing.T) {
	storetest.KeyPool(t, func(t *testing.T) tgapi.KeyPool { return openDSN(t, freshDSN(t)) })
}

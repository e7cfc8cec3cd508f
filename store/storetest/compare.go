package storetest

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// Precision is how finely the suite compares times: PostgreSQL keeps microseconds.
const Precision = time.Microsecond

var timeType = reflect.TypeFor[time.Time]()

// Diff returns the differences between two values of the same type, one per line,
// comparing times with time.Equal at Precision and nil and empty byte slices as equal.
// It is empty when they are equal.
func Diff(got, want any) string {
	var b strings.Builder
	diffValue(&b, "", reflect.ValueOf(got), reflect.ValueOf(want))
	return b.String()
}

func diffValue(b *strings.Builder, path string, got, want reflect.Value) {
	switch {
	case got.Type() == timeType:
		g, w := got.Interface().(time.Time), want.Interface().(time.Time)
		if g.IsZero() != w.IsZero() || !g.Truncate(Precision).Equal(w.Truncate(Precision)) {
			fmt.Fprintf(b, "%s: got %v, want %v\n", path, g, w)
		}
	case got.Kind() == reflect.Pointer:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				fmt.Fprintf(b, "%s: got %v, want %v\n", path, got.Interface(), want.Interface())
			}
			return
		}
		diffValue(b, path, got.Elem(), want.Elem())
	case got.Kind() == reflect.Struct:
		for i := 0; i < got.NumField(); i++ {
			name := got.Type().Field(i).Name
			if path != "" {
				name = path + "." + name
			}
			diffValue(b, name, got.Field(i), want.Field(i))
		}
	case got.Kind() == reflect.Slice && got.Type().Elem().Kind() == reflect.Uint8:
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			fmt.Fprintf(b, "%s: got %q, want %q\n", path, got.Bytes(), want.Bytes())
		}
	case got.Kind() == reflect.Slice:
		if got.Len() != want.Len() {
			fmt.Fprintf(b, "%s: got %d elements, want %d\n", path, got.Len(), want.Len())
			return
		}
		for i := 0; i < got.Len(); i++ {
			diffValue(b, fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i))
		}
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			fmt.Fprintf(b, "%s: got %#v, want %#v\n", path, got.Interface(), want.Interface())
		}
	}
}

// ids returns the IDs of logins, in order.
func ids(logins []*machine.Login) []string {
	out := make([]string, len(logins))
	for i, l := range logins {
		out[i] = l.ID
	}
	return out
}

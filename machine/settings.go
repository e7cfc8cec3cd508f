package machine

import (
	"fmt"
	"strconv"
	"time"
)

// SettingsOf returns the settings of opts that shape a login's walk (timeouts, polling,
// attempts), with defaults applied, as strings: a trace records them in its header so that
// a replay runs with the same ones.
func SettingsOf(opts Options) map[string]string {
	opts.setDefaults()
	return map[string]string{
		"login_ttl":    opts.LoginTTL.String(),
		"call_timeout": opts.CallTimeout.String(),
		"qr_poll":      opts.QRPoll.String(),
		"max_attempts": strconv.Itoa(opts.MaxAttempts),
	}
}

// ApplySettings sets on opts the settings SettingsOf wrote; unknown keys are an error.
func ApplySettings(opts *Options, settings map[string]string) error {
	for k, v := range settings {
		var err error
		switch k {
		case "login_ttl":
			opts.LoginTTL, err = time.ParseDuration(v)
		case "call_timeout":
			opts.CallTimeout, err = time.ParseDuration(v)
		case "qr_poll":
			opts.QRPoll, err = time.ParseDuration(v)
		case "max_attempts":
			opts.MaxAttempts, err = strconv.Atoi(v)
		default:
			return fmt.Errorf("unknown engine setting %q", k)
		}
		if err != nil {
			return fmt.Errorf("engine setting %s=%q: %w", k, v, err)
		}
	}
	return nil
}

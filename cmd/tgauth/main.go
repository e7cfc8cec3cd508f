// Command tgauth logs people and bots into Telegram through the tgauth engine, drives
// logins one step at a time, and replays recorded traces. Run 'tgauth help' for the
// commands; README.md describes them.
package main

import (
	"os"

	"github.com/tgauth/tgauth/internal/cli"
)

func main() { os.Exit(cli.Run()) }
